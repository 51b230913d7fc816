//! The processing operations that the Data Protection Act 2018 s.62 requires us to log.

use crate::enum_macro::domain_enum;

domain_enum! {
    /// A logged processing operation (DPA 2018 Part 3, s.62).
    pub enum AuditAction("audit action") {
        Collect = "collect",
        Alter = "alter",
        /// A read, including searches and list views.
        Consult = "consult",
        /// Exports and partner access.
        Disclose = "disclose",
        Combine = "combine",
        Erase = "erase",
    }
}
