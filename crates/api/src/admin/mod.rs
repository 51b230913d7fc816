//! Administration: agencies, users and the audit log (admin only).

pub mod agencies;
pub mod audit_log;
pub mod users;
