//! People: create, read, search, partial update, and the partner's narrowed view.

pub mod access;
pub mod create;
pub mod fields;
pub mod read;
pub mod search;
pub mod update;
pub mod views;
