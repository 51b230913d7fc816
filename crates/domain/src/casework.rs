//! What happens with a cohort member: appointments, contacts and their outcomes, enforcement,
//! home visits and resettlement referrals.

use crate::enum_macro::domain_enum;

domain_enum! {
    /// The kind of appointment booked.
    pub enum AppointmentType("appointment type") {
        OfficeVisit = "office_visit",
        InitialAppointment = "initial_appointment",
        Telephone = "telephone",
        Video = "video",
        HomeVisit = "home_visit",
        DoorstepVisit = "doorstep_visit",
        DrugTest = "drug_test",
        TreatmentSession = "treatment_session",
        ProgrammeSession = "programme_session",
        UnpaidWork = "unpaid_work",
        JobInterview = "job_interview",
        CourtHearing = "court_hearing",
        HousingAppointment = "housing_appointment",
    }
}

impl AppointmentType {
    /// Court hearings and job interviews get an extra reminder: missing one costs the person far
    /// more than missing a routine appointment.
    pub fn is_hearing_or_interview(&self) -> bool {
        matches!(self, Self::CourtHearing | Self::JobInterview)
    }

    /// The kind of contact an outcome of this appointment is recorded as.
    pub fn contact_type(&self) -> ContactType {
        match self {
            Self::Telephone => ContactType::Telephone,
            Self::Video => ContactType::Video,
            Self::HomeVisit | Self::DoorstepVisit => ContactType::HomeVisit,
            // Met elsewhere, confirmed by a third party (the employer, the court, the landlord).
            Self::JobInterview | Self::CourtHearing | Self::HousingAppointment => {
                ContactType::ThirdParty
            }
            Self::OfficeVisit
            | Self::InitialAppointment
            | Self::DrugTest
            | Self::TreatmentSession
            | Self::ProgrammeSession
            | Self::UnpaidWork => ContactType::FaceToFaceOffice,
        }
    }

    /// Home and telephone kinds: their reminders must never include an address.
    pub fn reminder_omits_address(&self) -> bool {
        matches!(
            self,
            Self::HomeVisit | Self::DoorstepVisit | Self::Telephone
        )
    }
}

domain_enum! {
    /// How a contact took place.
    pub enum ContactType("contact type") {
        FaceToFaceOffice = "face_to_face_office",
        HomeVisit = "home_visit",
        Telephone = "telephone",
        Video = "video",
        TextEmail = "text_email",
        Letter = "letter",
        /// Third-party / collateral contact (e.g. with a drug worker about the person).
        ThirdParty = "third_party",
        CaseConference = "case_conference",
    }
}

domain_enum! {
    /// Whether a contact actually happened. Only completed contacts satisfy a contact standard.
    pub enum ContactStatus("contact status") {
        Attempted = "attempted",
        Completed = "completed",
    }
}

domain_enum! {
    /// The outcome recorded against an appointment or visit.
    pub enum ContactOutcome("contact outcome") {
        AttendedComplied = "attended_complied",
        AttendedFailedToComply = "attended_failed_to_comply",
        SentHome = "sent_home",
        AcceptableAbsenceCourt = "acceptable_absence_court",
        AcceptableAbsenceEmployment = "acceptable_absence_employment",
        AcceptableAbsenceFamily = "acceptable_absence_family",
        AcceptableAbsenceHoliday = "acceptable_absence_holiday",
        AcceptableAbsenceMedical = "acceptable_absence_medical",
        AcceptableAbsenceReligious = "acceptable_absence_religious",
        AcceptableAbsenceProfessionalJudgement = "acceptable_absence_professional_judgement",
        UnacceptableAbsence = "unacceptable_absence",
        FailedToAttend = "failed_to_attend",
        NotAtHome = "not_at_home",
        RefusedEntry = "refused_entry",
    }
}

impl ContactOutcome {
    /// An absence for which evidence has been accepted: it never leads to enforcement.
    pub fn is_acceptable_absence(&self) -> bool {
        matches!(
            self,
            Self::AcceptableAbsenceCourt
                | Self::AcceptableAbsenceEmployment
                | Self::AcceptableAbsenceFamily
                | Self::AcceptableAbsenceHoliday
                | Self::AcceptableAbsenceMedical
                | Self::AcceptableAbsenceReligious
                | Self::AcceptableAbsenceProfessionalJudgement
        )
    }

    /// The status a contact with this outcome has: `completed` when the contact took place (the person
    /// was seen), `attempted` otherwise. Only completed contacts satisfy a contact standard, so a
    /// "completed" absence would meet a standard and start enforcement at once.
    pub fn status(&self) -> ContactStatus {
        if matches!(self, Self::AttendedComplied | Self::AttendedFailedToComply) {
            ContactStatus::Completed
        } else {
            ContactStatus::Attempted
        }
    }

    /// Outcomes that count towards a warning or breach. `FailedToAttend` counts because an
    /// unexplained failure to attend is an unacceptable absence until evidence is accepted (the
    /// outcome is then changed to an acceptable absence and the enforcement step cancelled).
    /// `SentHome` does not count on its own: the officer records compliance separately.
    pub fn counts_for_enforcement(&self) -> bool {
        matches!(
            self,
            Self::UnacceptableAbsence | Self::AttendedFailedToComply | Self::FailedToAttend
        )
    }
}

domain_enum! {
    /// The enforcement step taken after a counting absence.
    pub enum EnforcementAction("enforcement action") {
        /// A formal warning letter.
        Warning = "warning",
        /// Breach proceedings (return to court or recall).
        Breach = "breach",
    }
}

domain_enum! {
    /// Progress of an enforcement step (a record, not a flag).
    pub enum EnforcementStatus("enforcement status") {
        Pending = "pending",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

domain_enum! {
    /// Outcome of a (possibly unannounced) home visit.
    pub enum HomeVisitOutcome("home visit outcome") {
        Completed = "completed",
        NotAtHome = "not_at_home",
        RefusedEntry = "refused_entry",
    }
}

domain_enum! {
    /// The seven resettlement pathways of the Rehabilitate & Resettle strand.
    pub enum ResettlementPathway("resettlement pathway") {
        Accommodation = "accommodation",
        EducationTrainingEmployment = "education_training_employment",
        Health = "health",
        DrugsAlcohol = "drugs_alcohol",
        FinanceBenefitDebt = "finance_benefit_debt",
        ChildrenFamilies = "children_families",
        AttitudesThinkingBehaviour = "attitudes_thinking_behaviour",
    }
}

domain_enum! {
    /// Where a referral to a partner agency stands.
    pub enum ReferralStatus("referral status") {
        Referred = "referred",
        Started = "started",
        Completed = "completed",
        Declined = "declined",
        Withdrawn = "withdrawn",
    }
}

impl ReferralStatus {
    /// Allowed moves: referred → started | declined | withdrawn; started → completed | withdrawn.
    /// Completed, declined and withdrawn are final: a new attempt is a new referral, so the
    /// referral-to-start measure stays honest.
    pub fn can_move_to(&self, next: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, next),
            (Referred, Started | Declined | Withdrawn) | (Started, Completed | Withdrawn)
        )
    }

    /// No further moves are possible.
    pub fn is_terminal(&self) -> bool {
        Self::ALL.iter().all(|next| !self.can_move_to(*next))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn counting_and_acceptable_outcomes_are_disjoint() {
        let counting: Vec<_> = ContactOutcome::ALL
            .iter()
            .filter(|o| o.counts_for_enforcement())
            .map(|o| o.as_str())
            .collect();
        assert_eq!(
            counting,
            [
                "attended_failed_to_comply",
                "unacceptable_absence",
                "failed_to_attend"
            ]
        );
        let acceptable = ContactOutcome::ALL
            .iter()
            .filter(|o| o.is_acceptable_absence())
            .count();
        assert_eq!(acceptable, 7);
        assert!(
            ContactOutcome::ALL
                .iter()
                .all(|o| !(o.is_acceptable_absence() && o.counts_for_enforcement()))
        );
    }

    #[test]
    fn only_attended_outcomes_are_completed_contacts() {
        let completed: Vec<_> = ContactOutcome::ALL
            .iter()
            .filter(|o| o.status() == ContactStatus::Completed)
            .map(|o| o.as_str())
            .collect();
        assert_eq!(
            completed,
            ["attended_complied", "attended_failed_to_comply"]
        );
    }

    #[test]
    fn referral_transitions() {
        use ReferralStatus::*;
        assert!(Referred.can_move_to(Started));
        assert!(Referred.can_move_to(Declined));
        assert!(Referred.can_move_to(Withdrawn));
        assert!(!Referred.can_move_to(Completed));
        assert!(!Referred.can_move_to(Referred));
        assert!(Started.can_move_to(Completed));
        assert!(Started.can_move_to(Withdrawn));
        assert!(!Started.can_move_to(Declined));
        let terminal: Vec<_> = ReferralStatus::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .copied()
            .collect();
        assert_eq!(terminal, [Completed, Declined, Withdrawn]);
    }

    #[test]
    fn hearings_and_interviews() {
        let extra: Vec<_> = AppointmentType::ALL
            .iter()
            .filter(|t| t.is_hearing_or_interview())
            .copied()
            .collect();
        assert_eq!(
            extra,
            [AppointmentType::JobInterview, AppointmentType::CourtHearing]
        );
        assert_eq!(
            "Court_Hearing".parse::<AppointmentType>().unwrap(),
            AppointmentType::CourtHearing
        );
    }
}
