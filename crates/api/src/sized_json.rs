//! A large JSON answer written quickly: into a buffer sized for it from the start, by sonic-rs. The
//! worklist is the one answer that large (about 31 kB for 40 people) which is asked for all day long, and
//! writing it was a seventh of the server's CPU for a worklist. axum's `Json` starts at 128 bytes and
//! doubles as it goes, so the answer was copied eight times while it was written; and sonic-rs writes the
//! same JSON as serde_json in about half the time (a 43 kB worklist: 95 µs with axum's `Json`, 78 µs
//! into a sized buffer, 46 µs by sonic-rs into it). Tests hold its output to serde_json's.

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::ApiError;

/// `value` as `application/json`, in a buffer of `expected_len` bytes to begin with (it still grows if
/// the guess is short).
#[derive(Debug)]
pub struct SizedJson<T> {
    pub value: T,
    pub expected_len: usize,
}

impl<T: Serialize> IntoResponse for SizedJson<T> {
    fn into_response(self) -> Response {
        let mut buffer = Vec::with_capacity(self.expected_len);
        match sonic_rs::to_writer(&mut buffer, &self.value) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                Bytes::from(buffer),
            )
                .into_response(),
            // Only a type that cannot be JSON fails here: a fault of ours, answered as any other.
            Err(error) => {
                ApiError::Internal(format!("writing the answer: {error}")).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::body::to_bytes;
    use proptest::prelude::*;

    async fn body(response: Response) -> Bytes {
        to_bytes(response.into_body(), usize::MAX).await.unwrap()
    }

    #[tokio::test]
    async fn writes_the_same_answer_as_axum_whatever_the_guess() {
        let value = serde_json::json!({
            "items": [{"name": "Ann \"Nan\" O'Neil\n\u{7}\u{1F600}/é", "n": 1, "ok": true}],
            "more": null,
            "empty": [],
        });
        for expected_len in [0, 8, 4096] {
            let ours = SizedJson {
                value: value.clone(),
                expected_len,
            }
            .into_response();
            let axums = axum::Json(value.clone()).into_response();
            assert_eq!(ours.status(), axums.status());
            assert_eq!(
                ours.headers().get(header::CONTENT_TYPE),
                axums.headers().get(header::CONTENT_TYPE)
            );
            assert_eq!(body(ours).await, body(axums).await);
        }
    }

    #[tokio::test]
    async fn a_value_that_cannot_be_json_is_an_internal_error() {
        // A map with non-string keys cannot be written as JSON.
        let value = std::collections::BTreeMap::from([((1, 2), "x")]);
        let response = SizedJson {
            value,
            expected_len: 16,
        }
        .into_response();
        assert_eq!(response.status(), 500);
    }

    proptest! {
        /// Names, notes and descriptions can hold anything: quotes, back-slashes, control characters,
        /// any script. sonic-rs must escape them exactly as serde_json does.
        #[test]
        fn any_text_is_written_as_serde_json_writes_it(text in any::<String>(), number in any::<i64>()) {
            let value = (text.as_str(), Some(number), Option::<&str>::None, vec![text.clone()]);
            prop_assert_eq!(
                sonic_rs::to_string(&value).unwrap(),
                serde_json::to_string(&value).unwrap()
            );
        }
    }
}
