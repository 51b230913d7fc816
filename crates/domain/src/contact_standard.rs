//! Contact standards as data: "n contacts of kind K every P, first within F" for one strand and
//! tier. They are versioned and loaded from configuration; [`default_contact_standards`] is the
//! shipped starting point.

use serde::{Deserialize, Serialize};

use crate::casework::ContactType;
use crate::cohort::{Strand, Tier};
use crate::enum_macro::domain_enum;
use crate::period::Period;

domain_enum! {
    /// Which contacts count towards a standard.
    pub enum StandardKind("standard kind") {
        /// An office face-to-face contact or a home visit.
        FaceToFace = "face_to_face",
        /// A home visit only.
        HomeVisit = "home_visit",
        /// Any completed contact, including telephone, letters and third-party contacts.
        AnyContact = "any_contact",
    }
}

impl StandardKind {
    /// Whether a completed contact of this type counts towards the standard.
    pub fn is_satisfied_by(&self, contact_type: ContactType) -> bool {
        match self {
            Self::FaceToFace => matches!(
                contact_type,
                ContactType::FaceToFaceOffice | ContactType::HomeVisit
            ),
            Self::HomeVisit => contact_type == ContactType::HomeVisit,
            Self::AnyContact => true,
        }
    }
}

/// One contact standard for one strand and tier. Mirrors a TOML table such as
///
/// ```toml
/// [[contact_standard]]
/// code = "catch_convict.A.face_to_face"
/// version = 1
/// strand = "catch_convict"
/// tier = "A"
/// kind = "face_to_face"
/// count = 1
/// every = { unit = "days", length = 7 }
/// first_within = { unit = "working_days", length = 2 }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactStandard {
    /// Stable identifier, unique within a version.
    pub code: String,
    /// Bumped whenever the rule changes, so past assessments can say which rule applied.
    pub version: u32,
    /// The strand it applies to.
    pub strand: Strand,
    /// The tier it applies to.
    pub tier: Tier,
    /// Which contacts count.
    pub kind: StandardKind,
    /// How many qualifying contacts each period needs.
    pub count: u32,
    /// The period length; periods roll from adoption or the latest release.
    pub every: Period,
    /// Deadline for the first qualifying contact after adoption or release, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_within: Option<Period>,
}

impl ContactStandard {
    /// Whether the standard applies to a member in this strand and tier.
    pub fn applies_to(&self, strand: Strand, tier: Tier) -> bool {
        self.strand == strand && self.tier == tier
    }
}

/// One row of the default table: strand, tiers, kind, count, every, first_within.
type DefaultRow = (
    Strand,
    &'static [Tier],
    StandardKind,
    u32,
    Period,
    Option<Period>,
);

const AB: &[Tier] = &[Tier::A, Tier::B];
const CD: &[Tier] = &[Tier::C, Tier::D];
const EG: &[Tier] = &[Tier::E, Tier::F, Tier::G];
const ALL_TIERS: &[Tier] = Tier::ALL;

/// The shipped defaults, one row per (strand, tier group, kind). Intensity falls with tier;
/// catch & convict members are seen weekly at tier A/B, rehabilitate & resettle fortnightly, and
/// prevent & deter needs any contact every four weeks.
const DEFAULT_ROWS: &[DefaultRow] = {
    use Period::{CalendarMonths, Days, WorkingDays};
    use StandardKind::{AnyContact, FaceToFace, HomeVisit};
    use Strand::{CatchConvict, PreventDeter, RehabilitateResettle};
    &[
        (
            CatchConvict,
            AB,
            FaceToFace,
            1,
            Days(7),
            Some(WorkingDays(2)),
        ),
        (CatchConvict, AB, HomeVisit, 1, CalendarMonths(1), None),
        (
            CatchConvict,
            CD,
            FaceToFace,
            1,
            Days(14),
            Some(WorkingDays(5)),
        ),
        (CatchConvict, CD, HomeVisit, 1, CalendarMonths(2), None),
        (
            CatchConvict,
            EG,
            FaceToFace,
            1,
            Days(28),
            Some(WorkingDays(5)),
        ),
        (
            RehabilitateResettle,
            AB,
            FaceToFace,
            1,
            Days(14),
            Some(WorkingDays(2)),
        ),
        (
            RehabilitateResettle,
            AB,
            HomeVisit,
            1,
            CalendarMonths(1),
            None,
        ),
        (
            RehabilitateResettle,
            CD,
            FaceToFace,
            1,
            Days(14),
            Some(WorkingDays(5)),
        ),
        (
            RehabilitateResettle,
            CD,
            HomeVisit,
            1,
            CalendarMonths(2),
            None,
        ),
        (
            RehabilitateResettle,
            EG,
            FaceToFace,
            1,
            Days(28),
            Some(WorkingDays(5)),
        ),
        (
            PreventDeter,
            ALL_TIERS,
            AnyContact,
            1,
            Days(28),
            Some(WorkingDays(5)),
        ),
    ]
};

/// The default standards (version 1), expanded to one [`ContactStandard`] per tier, with codes
/// `"{strand}.{tier}.{kind}"`, e.g. `"catch_convict.A.face_to_face"`.
pub fn default_contact_standards() -> Vec<ContactStandard> {
    DEFAULT_ROWS
        .iter()
        .flat_map(|&(strand, tiers, kind, count, every, first_within)| {
            tiers.iter().map(move |&tier| ContactStandard {
                code: format!("{strand}.{tier}.{kind}"),
                version: 1,
                strand,
                tier,
                kind,
                count,
                every,
                first_within,
            })
        })
        .collect()
}

/// The longest period a standard may have: the caseload keeps 190 days of contacts (from its last write),
/// which must hold the current period and the one before it. 3 calendar months twice is at most 184 days;
/// 60 working days is at most 12 weeks and a few bank holidays.
pub const LONGEST_PERIODS: [Period; 3] = [
    Period::Days(95),
    Period::WorkingDays(60),
    Period::CalendarMonths(3),
];

/// Whether `period` is no longer than [`LONGEST_PERIODS`] allows for its unit.
fn within_longest(period: Period) -> bool {
    LONGEST_PERIODS.iter().any(|longest| {
        std::mem::discriminant(longest) == std::mem::discriminant(&period)
            && period.length() <= longest.length()
    })
}

/// Checks a partnership's own list of standards before it is used: each a code of its own (within the list),
/// a count and period lengths of at least 1. The error names the entry (`contact_standards[2].count`) and
/// says what is wrong, for the operator who wrote it.
pub fn check_contact_standards(standards: &[ContactStandard]) -> Result<(), (String, String)> {
    let field = |index: usize, name: &str| format!("contact_standards[{index}].{name}");
    for (index, standard) in standards.iter().enumerate() {
        if standard.code.trim().is_empty() {
            return Err((field(index, "code"), "must not be empty".to_owned()));
        }
        if standards[..index]
            .iter()
            .any(|earlier| earlier.code == standard.code)
        {
            return Err((
                field(index, "code"),
                format!(
                    "{} is used twice; each standard needs a code of its own",
                    standard.code
                ),
            ));
        }
        if standard.count == 0 {
            return Err((field(index, "count"), "must be at least 1".to_owned()));
        }
        if standard.every.length() == 0 {
            return Err((field(index, "every"), "must be at least 1 long".to_owned()));
        }
        if !within_longest(standard.every) {
            return Err((
                field(index, "every"),
                "must be at most 95 days, 60 working days or 3 calendar months (the caseload keeps \
                 190 days of contacts: a period and the one before it)"
                    .to_owned(),
            ));
        }
        if standard
            .first_within
            .is_some_and(|first| first.length() == 0)
        {
            return Err((
                field(index, "first_within"),
                "must be at least 1 long".to_owned(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn kinds_match_contact_types() {
        use ContactType::*;
        assert!(StandardKind::FaceToFace.is_satisfied_by(FaceToFaceOffice));
        assert!(StandardKind::FaceToFace.is_satisfied_by(HomeVisit));
        assert!(!StandardKind::FaceToFace.is_satisfied_by(Video));
        assert!(StandardKind::HomeVisit.is_satisfied_by(HomeVisit));
        assert!(!StandardKind::HomeVisit.is_satisfied_by(FaceToFaceOffice));
        assert!(
            ContactType::ALL
                .iter()
                .all(|t| StandardKind::AnyContact.is_satisfied_by(*t))
        );
    }

    #[test]
    fn defaults_cover_every_strand_and_tier_once_per_kind() {
        let all = default_contact_standards();
        assert_eq!(all.len(), 2 + 2 + 2 + 2 + 3 + 2 + 2 + 2 + 2 + 3 + 7);
        let codes: HashSet<_> = all.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes.len(), all.len());
        for strand in Strand::ALL {
            for tier in Tier::ALL {
                assert!(all.iter().any(|s| s.applies_to(*strand, *tier)));
            }
        }
        let a = all
            .iter()
            .find(|s| s.code == "catch_convict.A.face_to_face")
            .unwrap();
        assert_eq!(a.every, Period::Days(7));
        assert_eq!(a.first_within, Some(Period::WorkingDays(2)));
    }

    #[test]
    fn serde_shape_mirrors_config() {
        let s = &default_contact_standards()[0];
        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json["strand"], "catch_convict");
        assert_eq!(json["tier"], "A");
        assert_eq!(json["every"]["unit"], "days");
        assert_eq!(json["first_within"]["length"], 2);
        let back: ContactStandard = serde_json::from_value(json).unwrap();
        assert_eq!(&back, s);
    }

    #[test]
    fn a_list_of_standards_is_checked_entry_by_entry() {
        let defaults = default_contact_standards();
        assert_eq!(check_contact_standards(&defaults), Ok(()));
        let field_of =
            |standards: &[ContactStandard]| check_contact_standards(standards).unwrap_err().0;

        let mut twice = defaults.clone();
        twice[3].code = twice[1].code.clone();
        assert_eq!(field_of(&twice), "contact_standards[3].code");
        let mut none = defaults.clone();
        none[2].count = 0;
        assert_eq!(field_of(&none), "contact_standards[2].count");
        let mut never = defaults.clone();
        never[0].every = Period::Days(0);
        assert_eq!(field_of(&never), "contact_standards[0].every");
        let mut too_long = defaults.clone();
        too_long[1].every = Period::CalendarMonths(4);
        assert_eq!(field_of(&too_long), "contact_standards[1].every");
        too_long[1].every = Period::Days(96);
        assert_eq!(field_of(&too_long), "contact_standards[1].every");
        too_long[1].every = Period::WorkingDays(60);
        assert_eq!(check_contact_standards(&too_long), Ok(()));
        let mut at_once = defaults.clone();
        at_once[4].first_within = Some(Period::WorkingDays(0));
        assert_eq!(field_of(&at_once), "contact_standards[4].first_within");
        let mut blank = defaults;
        blank[5].code = " ".to_owned();
        assert_eq!(field_of(&blank), "contact_standards[5].code");
    }
}
