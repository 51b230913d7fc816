//! Twilio's request signature (`X-Twilio-Signature`), so the webhooks can tell Twilio's posts
//! from forgeries. Pure functions with no HTTP client, so the API crate can use them as they are.
//!
//! The algorithm (<https://www.twilio.com/docs/usage/security#validating-requests>): take the full
//! URL Twilio requested (with its query string), append each POST parameter's name and value with
//! the parameters sorted by name, sign the result with HMAC-SHA1 keyed by the auth token, and
//! base64-encode the digest.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// The signature Twilio sends for a POST of `params` to `url`.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    match mac_of(auth_token, url, params) {
        Some(mac) => STANDARD.encode(mac.finalize().into_bytes()),
        // HMAC takes a key of any length, so this does not happen; an empty signature matches nothing.
        None => String::new(),
    }
}

/// Whether `header` (the `X-Twilio-Signature` value) is Twilio's signature of this request. The
/// comparison takes the same time however much of the signature matches.
pub fn verify_twilio_signature(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: &str,
) -> bool {
    let Ok(claimed) = STANDARD.decode(header.trim()) else {
        return false;
    };
    mac_of(auth_token, url, params).is_some_and(|mac| mac.verify_slice(&claimed).is_ok())
}

fn mac_of(auth_token: &str, url: &str, params: &[(String, String)]) -> Option<HmacSha1> {
    let mut mac = HmacSha1::new_from_slice(auth_token.as_bytes()).ok()?;
    mac.update(url.as_bytes());
    // Sorted by name; a repeated name (rare) by value, as Twilio's own libraries do.
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    Some(mac)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documented_example() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const EXPECTED: &str = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    #[test]
    fn matches_twilio_documented_example() {
        assert_eq!(
            twilio_signature("12345", URL, &documented_example()),
            EXPECTED
        );
    }

    #[test]
    fn parameter_order_does_not_matter() {
        let mut params = documented_example();
        params.reverse();
        assert!(verify_twilio_signature("12345", URL, &params, EXPECTED));
    }

    #[test]
    fn tampering_or_the_wrong_token_fails() {
        let mut params = documented_example();
        params[2].1 = "9999".to_owned();
        assert!(!verify_twilio_signature("12345", URL, &params, EXPECTED));
        assert!(!verify_twilio_signature(
            "54321",
            URL,
            &documented_example(),
            EXPECTED
        ));
        assert!(!verify_twilio_signature(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            &documented_example(),
            EXPECTED
        ));
        assert!(!verify_twilio_signature(
            "12345",
            URL,
            &documented_example(),
            "not base64!"
        ));
        assert!(!verify_twilio_signature(
            "12345",
            URL,
            &documented_example(),
            ""
        ));
    }
}
