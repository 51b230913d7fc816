//! Who may do what: the role × permission matrix, in one place. Handlers ask `require(caller, permission)`;
//! nothing else in the code base decides by role. Partners are further scoped to the people with a referral
//! to their own agency (see `people::access`).

use vigil_domain::StaffRole;

use crate::auth::Caller;
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ManageAgencies,
    ManageUsers,
    ReadAudit,
    /// Read people (partners: only those referred to their agency, and only the referral's fields).
    ReadPeople,
    CreatePerson,
    UpdatePerson,
    ChangeMembership,
    ReadMembershipHistory,
    Allocate,
    RecordCustody,
    /// Read appointments, contacts, enforcement and notifications of a person.
    ReadCasework,
    /// See contacts marked sensitive.
    ReadSensitive,
    BookAppointments,
    RecordOutcomes,
    LogContacts,
    ManageEnforcement,
    PlanHomeVisits,
    RecordHomeVisits,
    ReadHomeVisits,
    Refer,
    /// Read referrals (partners: only their agency's).
    ReadReferrals,
    /// Move a referral's status (partners: only their agency's).
    UpdateReferrals,
    ReadOwnCaseload,
    ReadAnyCaseload,
    ReadAllNotifications,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::ManageAgencies,
        Permission::ManageUsers,
        Permission::ReadAudit,
        Permission::ReadPeople,
        Permission::CreatePerson,
        Permission::UpdatePerson,
        Permission::ChangeMembership,
        Permission::ReadMembershipHistory,
        Permission::Allocate,
        Permission::RecordCustody,
        Permission::ReadCasework,
        Permission::ReadSensitive,
        Permission::BookAppointments,
        Permission::RecordOutcomes,
        Permission::LogContacts,
        Permission::ManageEnforcement,
        Permission::PlanHomeVisits,
        Permission::RecordHomeVisits,
        Permission::ReadHomeVisits,
        Permission::Refer,
        Permission::ReadReferrals,
        Permission::UpdateReferrals,
        Permission::ReadOwnCaseload,
        Permission::ReadAnyCaseload,
        Permission::ReadAllNotifications,
    ];
}

/// The matrix. Read it as a table: each permission lists the roles that hold it.
pub fn allows(role: StaffRole, permission: Permission) -> bool {
    use StaffRole::{Admin, Coordinator, OffenderManager, Partner, Police};
    let holders: &[StaffRole] = match permission {
        Permission::ManageAgencies | Permission::ManageUsers | Permission::ReadAudit => &[Admin],
        Permission::ReadPeople => &[Coordinator, OffenderManager, Police, Partner],
        Permission::CreatePerson => &[Coordinator, OffenderManager],
        Permission::UpdatePerson => &[Coordinator, OffenderManager, Police],
        Permission::ChangeMembership | Permission::Allocate => &[Coordinator],
        Permission::ReadMembershipHistory => &[Coordinator, OffenderManager, Police],
        Permission::RecordCustody => &[Coordinator, OffenderManager, Police],
        Permission::ReadCasework | Permission::LogContacts | Permission::ReadHomeVisits => {
            &[Coordinator, OffenderManager, Police]
        }
        // Sensitive notes (health, family) are for probation and the coordinator only.
        Permission::ReadSensitive => &[Coordinator, OffenderManager],
        Permission::BookAppointments | Permission::RecordOutcomes => {
            &[Coordinator, OffenderManager]
        }
        Permission::ManageEnforcement | Permission::Refer => &[Coordinator, OffenderManager],
        Permission::PlanHomeVisits | Permission::RecordHomeVisits => &[Coordinator, Police],
        Permission::ReadReferrals | Permission::UpdateReferrals => {
            &[Coordinator, OffenderManager, Partner]
        }
        Permission::ReadOwnCaseload => &[Coordinator, OffenderManager, Police],
        Permission::ReadAnyCaseload => &[Coordinator],
        Permission::ReadAllNotifications => &[Coordinator, Admin],
    };
    holders.contains(&role)
}

/// Refuses with 403 unless the caller's role holds the permission.
pub fn require(caller: &Caller, permission: Permission) -> Result<(), ApiError> {
    if allows(caller.role, permission) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_administer_and_only_coordinators_change_the_cohort() {
        assert!(allows(StaffRole::Admin, Permission::ManageUsers));
        assert!(!allows(StaffRole::Coordinator, Permission::ManageUsers));
        assert!(!allows(StaffRole::Admin, Permission::ReadPeople));
        assert!(allows(StaffRole::Coordinator, Permission::ChangeMembership));
        assert!(!allows(
            StaffRole::OffenderManager,
            Permission::ChangeMembership
        ));
        assert!(!allows(StaffRole::Partner, Permission::UpdatePerson));
        assert!(!allows(
            StaffRole::Partner,
            Permission::ReadMembershipHistory
        ));
    }
}
