//! What the HTTP transports (Notify, Twilio) share: the client, the base URL and the reading of
//! failures that do not depend on the provider.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::{DEFAULT_RETRY_AFTER, TransportError};

/// A client whose every request gives up after `timeout`.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, TransportError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| TransportError::Misconfigured(format!("cannot build the HTTP client: {e}")))
}

/// Checks a provider's base URL and returns it without a trailing slash, ready for `{base}/path`.
pub(crate) fn base_url(provider: &str, base_url: &str) -> Result<String, TransportError> {
    let parsed = reqwest::Url::parse(base_url).map_err(|e| {
        TransportError::Misconfigured(format!("the {provider} base URL is not valid: {e}"))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(TransportError::Misconfigured(format!(
            "the {provider} base URL must be an http or https URL with a host"
        )));
    }
    Ok(base_url.trim_end_matches('/').to_owned())
}

/// A request that got no answer. Always worth retrying; the URL is left out of the message, in case it
/// ever carries something that should not be logged.
///
/// A connect error (DNS, a refused or timed-out TCP connect, a failed TLS handshake: reqwest reports
/// these as `is_connect`, even when the connect timed out) happens before any byte of the request is
/// written, so the provider certainly did not take the message. Anything else (a timeout or a reset
/// after the request was written) may hide a message that went.
pub(crate) fn request_failed(provider: &str, error: reqwest::Error) -> TransportError {
    if error.is_connect() {
        return TransportError::NotAccepted(format!(
            "{provider}: could not connect: {}",
            error.without_url()
        ));
    }
    let what = if error.is_timeout() {
        "timed out"
    } else {
        "request failed"
    };
    TransportError::Unavailable(format!("{provider}: {what}: {}", error.without_url()))
}

/// The failures every provider answers the same way: 429 (with `Retry-After` in seconds, or the
/// default), 5xx, and 401/403/404 (wrong key, wrong account, wrong base URL). `None` leaves the
/// status to the provider's own reading of its 4xx bodies.
pub(crate) fn common_failure(
    provider: &str,
    status: StatusCode,
    headers: &HeaderMap,
) -> Option<TransportError> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Some(TransportError::RateLimited {
            retry_after: retry_after(headers),
        });
    }
    // A 5xx stays "may have gone", not "not accepted". Notify documents its own 500 as "not sent" and
    // Twilio its 503 as "try again", but a 502 or 504 is often a gateway's answer after the provider
    // behind it took the request, and we cannot tell which layer answered. Treated as "may have gone",
    // Notify loses nothing (the retry looks the reference up, and resends only if it is not found) and
    // Twilio, which cannot be asked, is never sent twice (the message becomes `unknown`).
    if status.is_server_error() {
        return Some(TransportError::Unavailable(format!(
            "{provider} answered {status}"
        )));
    }
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Some(TransportError::Misconfigured(
            format!("{provider} refused our credentials ({status}); check the API key"),
        )),
        StatusCode::NOT_FOUND => Some(TransportError::Misconfigured(format!(
            "{provider} answered {status}; check the base URL and account"
        ))),
        _ => None,
    }
}

/// Reads `Retry-After` as whole seconds (the form providers use); anything else gets the default.
pub(crate) fn retry_after(headers: &HeaderMap) -> Duration {
    headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map_or(DEFAULT_RETRY_AFTER, Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers_with_retry_after(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(RETRY_AFTER, value);
        }
        headers
    }

    #[test]
    fn retry_after_in_seconds_is_honoured() {
        assert_eq!(
            retry_after(&headers_with_retry_after("7")),
            Duration::from_secs(7)
        );
    }

    #[test]
    fn missing_or_dated_retry_after_falls_back_to_the_default() {
        assert_eq!(retry_after(&HeaderMap::new()), DEFAULT_RETRY_AFTER);
        assert_eq!(
            retry_after(&headers_with_retry_after("Wed, 21 Oct 2015 07:28:00 GMT")),
            DEFAULT_RETRY_AFTER
        );
    }

    #[test]
    fn base_urls_lose_their_trailing_slash_and_must_be_http() {
        assert_eq!(
            base_url("notify", "https://api.notifications.service.gov.uk/"),
            Ok("https://api.notifications.service.gov.uk".to_owned())
        );
        assert!(matches!(
            base_url("notify", "ftp://example.com"),
            Err(TransportError::Misconfigured(_))
        ));
        assert!(matches!(
            base_url("notify", "not a url"),
            Err(TransportError::Misconfigured(_))
        ));
    }

    #[tokio::test]
    async fn a_connection_dropped_after_the_request_may_have_taken_it() {
        // (A refused connection, "not accepted", is tested through Notify in tests/transport_notify.rs.)
        let client = client(Duration::from_secs(5)).unwrap_or_else(|e| panic!("{e}"));
        // A server that reads the request and hangs up without answering.
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            if let Ok((mut stream, _)) = listener.accept().await {
                let mut buffer = [0_u8; 1024];
                let _ = stream.read(&mut buffer).await;
            }
        });
        let sent = client
            .post(format!("http://{address}/send"))
            .body("message")
            .send()
            .await;
        let Err(dropped) = sent else {
            panic!("the server never answers")
        };
        assert!(matches!(
            request_failed("p", dropped),
            TransportError::Unavailable(_)
        ));
    }

    #[test]
    fn statuses_every_provider_shares() {
        let none = HeaderMap::new();
        assert!(matches!(
            common_failure("p", StatusCode::TOO_MANY_REQUESTS, &none),
            Some(TransportError::RateLimited { retry_after }) if retry_after == DEFAULT_RETRY_AFTER
        ));
        assert!(matches!(
            common_failure("p", StatusCode::BAD_GATEWAY, &none),
            Some(TransportError::Unavailable(_))
        ));
        assert!(matches!(
            common_failure("p", StatusCode::FORBIDDEN, &none),
            Some(TransportError::Misconfigured(_))
        ));
        assert_eq!(common_failure("p", StatusCode::BAD_REQUEST, &none), None);
    }
}
