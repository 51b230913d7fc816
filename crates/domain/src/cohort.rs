//! Who is on the scheme and how they are managed: strand, membership status, tier, risk and
//! language of communication.

use crate::enum_macro::domain_enum;

domain_enum! {
    /// The IOM strand a cohort member is managed under (exactly one at a time).
    pub enum Strand("strand") {
        /// Mostly young people at risk of becoming prolific.
        PreventDeter = "prevent_deter",
        /// Active prolific offenders, fast-tracked through the justice process.
        CatchConvict = "catch_convict",
        /// Supportive interventions, with swift return to court on failure.
        RehabilitateResettle = "rehabilitate_resettle",
    }
}

domain_enum! {
    /// Where a person is in the selection process.
    pub enum MembershipStatus("membership status") {
        /// Put forward for the cohort, not yet agreed at the PPO meeting.
        Proposed = "proposed",
        /// Agreed and actively managed.
        Adopted = "adopted",
        /// Taken off the scheme (with a reason and an exit plan).
        Deselected = "deselected",
    }
}

domain_enum! {
    /// Management tier, `A` being the most intensive. Upper-case letters, not snake case,
    /// because that is how practitioners write it.
    pub enum Tier("tier") {
        A = "A",
        B = "B",
        C = "C",
        D = "D",
        E = "E",
        F = "F",
        G = "G",
    }
}

domain_enum! {
    /// Risk of serious harm (RoSH) level.
    pub enum Rosh("risk of serious harm level") {
        Low = "low",
        Medium = "medium",
        High = "high",
        VeryHigh = "very_high",
    }
}

domain_enum! {
    /// Multi-Agency Public Protection Arrangements level, written "1" to "3".
    pub enum MappaLevel("MAPPA level") {
        One = "1",
        Two = "2",
        Three = "3",
    }
}

domain_enum! {
    /// Language for letters and reminders (Welsh Language Act duties in Wales).
    pub enum Language("language") {
        En = "en",
        Cy = "cy",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn string_forms_match_serde_and_parse_back() {
        for s in Strand::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(s.as_str().parse::<Strand>().unwrap(), *s);
        }
        assert_eq!(serde_json::to_string(&Tier::C).unwrap(), "\"C\"");
        assert_eq!(serde_json::to_string(&MappaLevel::Two).unwrap(), "\"2\"");
        assert_eq!(
            serde_json::to_string(&Rosh::VeryHigh).unwrap(),
            "\"very_high\""
        );
        assert_eq!(Tier::ALL.len(), 7);
        assert_eq!(" g ".parse::<Tier>().unwrap(), Tier::G);
        assert_eq!(Language::Cy.to_string(), "cy");
    }

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        let err = "catch".parse::<Strand>().unwrap_err();
        assert_eq!(err.kind, "strand");
        assert_eq!(err.value, "catch");
        assert_eq!(
            err.to_string(),
            "'catch' is not a valid strand; expected one of: prevent_deter, catch_convict, rehabilitate_resettle"
        );
        assert!(serde_json::from_str::<MappaLevel>("\"4\"").is_err());
    }
}
