//! Who works the cases: user roles, allocation roles and partner agency kinds.

use crate::enum_macro::domain_enum;

domain_enum! {
    /// A user's role, which decides what they may see and do.
    pub enum StaffRole("staff role") {
        Admin = "admin",
        Coordinator = "coordinator",
        OffenderManager = "offender_manager",
        Police = "police",
        /// Partner agency worker: sees only referrals sent to their agency.
        Partner = "partner",
    }
}

domain_enum! {
    /// The part a member of staff plays for one cohort member.
    pub enum AllocationRole("allocation role") {
        OffenderManager = "offender_manager",
        /// Police single point of contact.
        PoliceSpoc = "police_spoc",
        SupportOfficer = "support_officer",
    }
}

domain_enum! {
    /// The kind of organisation in the partnership.
    pub enum AgencyKind("agency kind") {
        Police = "police",
        Probation = "probation",
        YouthOffending = "youth_offending",
        LocalAuthority = "local_authority",
        Housing = "housing",
        DrugAlcohol = "drug_alcohol",
        Employment = "employment",
        Health = "health",
        Other = "other",
    }
}
