//! The cohort membership state machine: proposed → adopted → deselected, with strand moves while
//! adopted. Pure, so the API, the CLI seeder and tests all apply exactly the same rules.

use crate::cohort::{MembershipStatus, Strand};
use crate::enum_macro::domain_enum;

domain_enum! {
    /// Something a coordinator does to a membership.
    pub enum MembershipAction("membership action") {
        /// Put a person forward (new, or again after deselection).
        Propose = "propose",
        /// Agree the proposal; the strand may be changed at the meeting.
        Adopt = "adopt",
        /// Move an adopted member to another strand.
        Move = "move",
        /// Take the person off the scheme.
        Deselect = "deselect",
    }
}

/// Why a membership action was refused. [`MembershipError::field`] names the input to fix so
/// the API can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    /// A required input was missing or blank.
    #[error("{message}")]
    Missing {
        /// The input that is missing: "strand", "reason" or "exit_plan".
        field: &'static str,
        /// What to supply, in plain English.
        message: String,
    },
    /// The action is not allowed from the current status.
    #[error("cannot {action} a membership that is {}", describe(*.from))]
    InvalidTransition {
        /// The refused action.
        action: MembershipAction,
        /// The current status (`None`: no membership yet).
        from: Option<MembershipStatus>,
    },
    /// A move to the strand the member is already in.
    #[error("the member is already in the {0} strand; choose a different strand")]
    SameStrand(Strand),
}

fn describe(from: Option<MembershipStatus>) -> &'static str {
    match from {
        None => "not yet proposed",
        Some(status) => status.as_str(),
    }
}

impl MembershipError {
    /// The input the user should change: "strand", "reason", "exit_plan" or "action".
    pub fn field(&self) -> &'static str {
        match self {
            Self::Missing { field, .. } => field,
            Self::InvalidTransition { .. } => "action",
            Self::SameStrand(_) => "strand",
        }
    }

    fn missing(field: &'static str, message: &str) -> Self {
        Self::Missing {
            field,
            message: message.to_owned(),
        }
    }
}

/// Applies `action` to the current membership (status and strand; `None` if the person has never
/// been proposed) and returns the new status and strand.
///
/// - propose: no membership or a deselected one; needs a strand.
/// - adopt: needs a proposed membership; `strand` overrides the proposed strand if given.
/// - move: needs an adopted membership, a different strand and a non-blank reason.
/// - deselect: needs a proposed or adopted membership, a non-blank reason and a non-blank exit
///   plan; the strand is kept for the record.
pub fn next_membership(
    current: Option<(MembershipStatus, Option<Strand>)>,
    action: MembershipAction,
    strand: Option<Strand>,
    reason: Option<&str>,
    exit_plan: Option<&str>,
) -> Result<(MembershipStatus, Strand), MembershipError> {
    use MembershipStatus::*;
    let status = current.map(|(s, _)| s);
    let current_strand = current.and_then(|(_, s)| s);
    let refuse = || MembershipError::InvalidTransition {
        action,
        from: status,
    };
    let need_strand =
        |s: Option<Strand>| s.ok_or_else(|| MembershipError::missing("strand", "choose a strand"));
    match action {
        MembershipAction::Propose => match status {
            None | Some(Deselected) => Ok((Proposed, need_strand(strand)?)),
            Some(_) => Err(refuse()),
        },
        MembershipAction::Adopt => match status {
            Some(Proposed) => Ok((Adopted, need_strand(strand.or(current_strand))?)),
            _ => Err(refuse()),
        },
        MembershipAction::Move => {
            if status != Some(Adopted) {
                return Err(refuse());
            }
            let to = need_strand(strand)?;
            if Some(to) == current_strand {
                return Err(MembershipError::SameStrand(to));
            }
            require_text(reason, "reason", "give a reason for the move")?;
            Ok((Adopted, to))
        }
        MembershipAction::Deselect => {
            if !matches!(status, Some(Proposed | Adopted)) {
                return Err(refuse());
            }
            require_text(reason, "reason", "give a reason for deselection")?;
            require_text(
                exit_plan,
                "exit_plan",
                "an exit plan is required before deselection",
            )?;
            Ok((Deselected, need_strand(current_strand.or(strand))?))
        }
    }
}

fn require_text(
    value: Option<&str>,
    field: &'static str,
    message: &str,
) -> Result<(), MembershipError> {
    match value {
        Some(text) if !text.trim().is_empty() => Ok(()),
        _ => Err(MembershipError::missing(field, message)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use MembershipAction::*;
    use MembershipStatus::*;
    use Strand::*;

    #[test]
    fn full_lifecycle() {
        let p = next_membership(None, Propose, Some(CatchConvict), None, None).unwrap();
        assert_eq!(p, (Proposed, CatchConvict));
        let a = next_membership(
            Some((Proposed, Some(CatchConvict))),
            Adopt,
            None,
            None,
            None,
        );
        assert_eq!(a.unwrap(), (Adopted, CatchConvict));
        let changed = next_membership(
            Some((Proposed, Some(CatchConvict))),
            Adopt,
            Some(PreventDeter),
            None,
            None,
        );
        assert_eq!(changed.unwrap(), (Adopted, PreventDeter));
        let m = next_membership(
            Some((Adopted, Some(CatchConvict))),
            Move,
            Some(RehabilitateResettle),
            Some("released on licence"),
            None,
        );
        assert_eq!(m.unwrap(), (Adopted, RehabilitateResettle));
        let d = next_membership(
            Some((Adopted, Some(RehabilitateResettle))),
            Deselect,
            None,
            Some("no offending for 12 months"),
            Some("hand over to neighbourhood team"),
        );
        assert_eq!(d.unwrap(), (Deselected, RehabilitateResettle));
        let again = next_membership(
            Some((Deselected, Some(RehabilitateResettle))),
            Propose,
            Some(CatchConvict),
            None,
            None,
        );
        assert_eq!(again.unwrap(), (Proposed, CatchConvict));
    }

    #[test]
    fn errors_name_the_field() {
        let e = next_membership(None, Propose, None, None, None).unwrap_err();
        assert_eq!(e.field(), "strand");
        let e = next_membership(
            Some((Adopted, Some(CatchConvict))),
            Propose,
            Some(PreventDeter),
            None,
            None,
        )
        .unwrap_err();
        assert_eq!(e.field(), "action");
        assert_eq!(e.to_string(), "cannot propose a membership that is adopted");
        let e = next_membership(None, Adopt, Some(CatchConvict), None, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot adopt a membership that is not yet proposed"
        );
        let adopted = Some((Adopted, Some(CatchConvict)));
        let e = next_membership(adopted, Move, Some(CatchConvict), Some("x"), None).unwrap_err();
        assert_eq!(e, MembershipError::SameStrand(CatchConvict));
        assert_eq!(e.field(), "strand");
        let e = next_membership(adopted, Move, Some(PreventDeter), Some("  "), None).unwrap_err();
        assert_eq!(e.field(), "reason");
        let e = next_membership(adopted, Move, None, Some("x"), None).unwrap_err();
        assert_eq!(e.field(), "strand");
        let e = next_membership(
            Some((Proposed, Some(CatchConvict))),
            Move,
            Some(PreventDeter),
            Some("x"),
            None,
        )
        .unwrap_err();
        assert_eq!(e.field(), "action");
        let e = next_membership(adopted, Deselect, None, Some("done"), None).unwrap_err();
        assert_eq!(e.field(), "exit_plan");
        let e = next_membership(adopted, Deselect, None, None, Some("plan")).unwrap_err();
        assert_eq!(e.field(), "reason");
        let e = next_membership(
            Some((Deselected, Some(CatchConvict))),
            Deselect,
            None,
            Some("r"),
            Some("p"),
        )
        .unwrap_err();
        assert_eq!(e.field(), "action");
    }

    #[test]
    fn proposed_member_can_be_deselected() {
        let d = next_membership(
            Some((Proposed, Some(PreventDeter))),
            Deselect,
            None,
            Some("not agreed at panel"),
            Some("refer to youth offending team"),
        );
        assert_eq!(d.unwrap(), (Deselected, PreventDeter));
    }
}
