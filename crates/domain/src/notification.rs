//! Vocabulary of outgoing messages (reminders by SMS or email).

use crate::enum_macro::domain_enum;

domain_enum! {
    /// How a message is sent.
    pub enum NotificationChannel("notification channel") {
        Sms = "sms",
        Email = "email",
    }
}

domain_enum! {
    /// Lifecycle of one message row.
    pub enum NotificationStatus("notification status") {
        Pending = "pending",
        /// Claimed by a worker; the provider call may or may not have happened.
        Sending = "sending",
        Sent = "sent",
        Delivered = "delivered",
        Failed = "failed",
        /// Deliberately not sent (opted out, quiet hours, in custody, cancelled, too late...).
        Suppressed = "suppressed",
        /// The provider never confirmed either way (e.g. a crash mid-send); never retried blindly.
        Unknown = "unknown",
    }
}
