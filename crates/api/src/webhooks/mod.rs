//! Provider callbacks (public, but authenticated by the provider's secret): delivery receipts update a
//! message's status; received texts STOP and START opt a person out of SMS and back in, each answered with a
//! confirmation text and recorded in the audit log.

pub mod inbound;
pub mod notify;
pub mod receipts;
pub mod twilio;
