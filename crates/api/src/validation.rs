//! Collects every invalid field of a request, so one answer lists them all.

use std::fmt::Display;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, FieldError};

#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value, or records the error against `field`.
    pub fn check<T, E: Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(FieldError::new(field, error.to_string()));
                None
            }
        }
    }

    /// Parses an optional input; absent stays absent.
    pub fn optional<T, E: Display>(
        &mut self,
        field: &str,
        input: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        input.and_then(|raw| self.check(field, parse(raw)))
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Requires a value that an earlier check may have refused.
    pub fn require<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() && !self.errors.iter().any(|error| error.field == field) {
            self.add(field, "is required");
        }
        value
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ok when nothing was wrong; otherwise a 422 listing every field.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// Distinguishes a field that is absent (`None`) from one set to null (`Some(None)`), for partial updates.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| "must be a date as YYYY-MM-DD".to_owned())
}

pub fn parse_instant(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| {
            "must be an RFC 3339 instant with an offset, e.g. 2026-03-29T09:00:00+01:00".to_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_bad_field() {
        let mut validator = Validator::new();
        let date = validator.check("date_of_birth", parse_date("1990-02-30"));
        let instant = validator.check("received_at", parse_instant("2026-03-29T09:00:00+01:00"));
        validator.require("given_name", None::<String>);
        assert!(date.is_none());
        assert!(instant.is_some());
        match validator.finish() {
            Err(ApiError::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["date_of_birth", "given_name"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
