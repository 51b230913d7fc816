//! Authentication: access and refresh tokens, login throttling, the authenticated caller, and the
//! sign-in endpoints.

pub mod caller;
pub mod client_address;
pub mod handlers;
pub mod throttle;
pub mod tokens;

pub use caller::Caller;
