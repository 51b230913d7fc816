//! Access tokens: short-lived HS256 JWTs. Refresh tokens: opaque random strings stored only as hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// What an access token says: who, in which role and agency, until when, and a token id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: String,
    pub agency: Option<Uuid>,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
}

/// The signing keys and lifetimes. The secret itself is kept only inside the keys.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    pub fn new(secret: &SecretString, access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            access_ttl,
            refresh_ttl,
        }
    }

    /// A random 48-byte secret, for development when none is configured.
    pub fn random_secret() -> SecretString {
        let mut bytes = [0_u8; 48];
        rand::rng().fill_bytes(&mut bytes);
        SecretString::from(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn issue_access_token(
        &self,
        staff_id: Uuid,
        role: &str,
        agency: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            sub: staff_id,
            role: role.to_owned(),
            agency,
            iat: now.timestamp(),
            exp: (now + self.access_ttl).timestamp(),
            jti: Uuid::new_v4(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Verifies the signature and expiry against `now` (the injected clock, not the system time).
    pub fn verify_access_token(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the injected clock so that tests can move time.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        (claims.exp > now.timestamp()).then_some(claims)
    }
}

/// A new opaque refresh token and the hash to store for it.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

/// Refresh tokens are high-entropy, so a plain SHA-256 is enough to make a stolen table useless.
pub fn hash_refresh_token(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            &SecretString::from("0123456789abcdef0123456789abcdef".to_owned()),
            Duration::minutes(15),
            Duration::days(14),
        )
    }

    #[test]
    fn access_tokens_verify_until_they_expire_and_not_with_another_key() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let id = Uuid::new_v4();
        let token = keys().issue_access_token(id, "police", None, now).unwrap();
        let claims = keys().verify_access_token(&token, now).unwrap();
        assert_eq!((claims.sub, claims.role.as_str()), (id, "police"));
        assert!(
            keys()
                .verify_access_token(&token, now + Duration::minutes(14))
                .is_some()
        );
        assert!(
            keys()
                .verify_access_token(&token, now + Duration::minutes(15))
                .is_none()
        );
        let other = TokenKeys::new(
            &TokenKeys::random_secret(),
            Duration::minutes(15),
            Duration::days(1),
        );
        assert!(other.verify_access_token(&token, now).is_none());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, hash_a) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a), hash_a);
        assert_eq!(hash_a.len(), 64);
    }
}
