//! The words of the messages sent to people on the scheme, in English and Welsh. Pure: given the
//! appointment and the person's language, the text. Home and telephone appointments never include an
//! address (a text on a shared phone must not reveal where an officer will call).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::casework::AppointmentType;
use crate::cohort::Language;

/// What a reminder is about.
#[derive(Debug, Clone)]
pub struct ReminderFacts<'a> {
    pub appointment_type: AppointmentType,
    pub starts_at: DateTime<Utc>,
    pub location: Option<&'a str>,
}

fn what(kind: AppointmentType, language: Language) -> &'static str {
    use AppointmentType as A;
    match language {
        Language::En => match kind {
            A::OfficeVisit | A::InitialAppointment => "an appointment with probation",
            A::Telephone => "a telephone appointment with probation",
            A::Video => "a video appointment with probation",
            A::HomeVisit | A::DoorstepVisit => "a home visit",
            A::DrugTest => "a drug test",
            A::TreatmentSession => "a treatment session",
            A::ProgrammeSession => "a programme session",
            A::UnpaidWork => "unpaid work",
            A::JobInterview => "a job interview",
            A::CourtHearing => "a court hearing",
            A::HousingAppointment => "a housing appointment",
        },
        Language::Cy => match kind {
            A::OfficeVisit | A::InitialAppointment => "apwyntiad gyda'r gwasanaeth prawf",
            A::Telephone => "apwyntiad ffôn gyda'r gwasanaeth prawf",
            A::Video => "apwyntiad fideo gyda'r gwasanaeth prawf",
            A::HomeVisit | A::DoorstepVisit => "ymweliad cartref",
            A::DrugTest => "prawf cyffuriau",
            A::TreatmentSession => "sesiwn driniaeth",
            A::ProgrammeSession => "sesiwn rhaglen",
            A::UnpaidWork => "gwaith di-dâl",
            A::JobInterview => "cyfweliad swydd",
            A::CourtHearing => "gwrandawiad llys",
            A::HousingAppointment => "apwyntiad tai",
        },
    }
}

const WELSH_DAYS: [&str; 7] = [
    "Llun", "Mawrth", "Mercher", "Iau", "Gwener", "Sadwrn", "Sul",
];
const WELSH_MONTHS: [&str; 12] = [
    "Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag",
];

fn when(starts_at: DateTime<Utc>, tz: Tz, language: Language) -> String {
    use chrono::{Datelike, Timelike};
    let local = starts_at.with_timezone(&tz);
    match language {
        Language::En => local.format("%a %-d %b at %H:%M").to_string(),
        Language::Cy => format!(
            "dydd {} {} {} am {:02}:{:02}",
            WELSH_DAYS[local.weekday().num_days_from_monday() as usize],
            local.day(),
            WELSH_MONTHS[local.month0() as usize],
            local.hour(),
            local.minute()
        ),
    }
}

/// The reminder text.
pub fn reminder_text(facts: &ReminderFacts<'_>, language: Language, tz: Tz) -> String {
    let place = if facts.appointment_type.reminder_omits_address() {
        None
    } else {
        facts.location.map(str::trim).filter(|l| !l.is_empty())
    };
    let what = what(facts.appointment_type, language);
    let when = when(facts.starts_at, tz, language);
    match (language, place) {
        (Language::En, Some(place)) => format!(
            "Reminder: you have {what} on {when} at {place}. If you cannot attend, call your officer. Reply STOP to stop these texts."
        ),
        (Language::En, None) => format!(
            "Reminder: you have {what} on {when}. If you cannot attend, call your officer. Reply STOP to stop these texts."
        ),
        (Language::Cy, Some(place)) => format!(
            "Nodyn atgoffa: mae gennych {what} {when} yn {place}. Os na allwch ddod, ffoniwch eich swyddog. Atebwch STOP i atal y negeseuon hyn."
        ),
        (Language::Cy, None) => format!(
            "Nodyn atgoffa: mae gennych {what} {when}. Os na allwch ddod, ffoniwch eich swyddog. Atebwch STOP i atal y negeseuon hyn."
        ),
    }
}

/// The email subject for a reminder.
pub fn reminder_subject(language: Language) -> &'static str {
    match language {
        Language::En => "Appointment reminder",
        Language::Cy => "Nodyn atgoffa am apwyntiad",
    }
}

/// What a person texted back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundKeyword {
    /// Stop sending texts (opt out).
    Stop,
    /// Start sending texts again (opt back in).
    Start,
}

impl InboundKeyword {
    /// Recognises STOP and START and their usual synonyms (English and Welsh), ignoring case, spaces and
    /// punctuation around a single word. Anything else is an ordinary message.
    pub fn parse(text: &str) -> Option<Self> {
        let word: String = text
            .trim()
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_uppercase();
        match word.as_str() {
            "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "STOPIO" | "DIM" => {
                Some(Self::Stop)
            }
            "START" | "UNSTOP" | "YES" | "SUBSCRIBE" | "DECHRAU" => Some(Self::Start),
            _ => None,
        }
    }

    /// The confirmation text sent back.
    pub fn confirmation(self, language: Language) -> &'static str {
        match (self, language) {
            (Self::Stop, Language::En) => {
                "You will no longer get text reminders from this service. Reply START to get them again."
            }
            (Self::Stop, Language::Cy) => {
                "Ni fyddwch yn cael negeseuon atgoffa gan y gwasanaeth hwn mwyach. Atebwch START i'w cael eto."
            }
            (Self::Start, Language::En) => {
                "You will get text reminders from this service again. Reply STOP to stop them."
            }
            (Self::Start, Language::Cy) => {
                "Byddwch yn cael negeseuon atgoffa gan y gwasanaeth hwn eto. Atebwch STOP i'w hatal."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::London;

    fn facts(kind: AppointmentType, starts_at: DateTime<Utc>) -> ReminderFacts<'static> {
        ReminderFacts {
            appointment_type: kind,
            starts_at,
            location: Some("12 Market Square"),
        }
    }

    #[test]
    fn english_reminders_give_the_local_time_and_the_place() {
        // 09:00 BST on Monday 30 March 2026 is 08:00Z.
        let at = Utc.with_ymd_and_hms(2026, 3, 30, 8, 0, 0).unwrap();
        let text = reminder_text(
            &facts(AppointmentType::OfficeVisit, at),
            Language::En,
            London,
        );
        assert_eq!(
            text,
            "Reminder: you have an appointment with probation on Mon 30 Mar at 09:00 at 12 Market Square. If you cannot attend, call your officer. Reply STOP to stop these texts."
        );
    }

    #[test]
    fn home_and_telephone_reminders_never_include_the_address() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        for kind in [
            AppointmentType::HomeVisit,
            AppointmentType::DoorstepVisit,
            AppointmentType::Telephone,
        ] {
            for language in [Language::En, Language::Cy] {
                let text = reminder_text(&facts(kind, at), language, London);
                assert!(!text.contains("Market Square"), "{text}");
            }
        }
    }

    #[test]
    fn welsh_reminders_are_in_welsh() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
        let text = reminder_text(
            &facts(AppointmentType::CourtHearing, at),
            Language::Cy,
            London,
        );
        assert_eq!(
            text,
            "Nodyn atgoffa: mae gennych gwrandawiad llys dydd Mercher 25 Tach am 10:00 yn 12 Market Square. Os na allwch ddod, ffoniwch eich swyddog. Atebwch STOP i atal y negeseuon hyn."
        );
    }

    #[test]
    fn stop_and_start_and_their_synonyms() {
        for text in ["STOP", " stop ", "Stop.", "unsubscribe", "STOPIO", "end"] {
            assert_eq!(
                InboundKeyword::parse(text),
                Some(InboundKeyword::Stop),
                "{text}"
            );
        }
        for text in ["START", "start!", "unstop", "Dechrau"] {
            assert_eq!(
                InboundKeyword::parse(text),
                Some(InboundKeyword::Start),
                "{text}"
            );
        }
        for text in ["", "please stop texting me", "ok", "stopped"] {
            assert_eq!(InboundKeyword::parse(text), None, "{text}");
        }
    }
}
