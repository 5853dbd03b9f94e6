//! Credentials: device tokens and session tokens are stored as SHA-256 hashes, passwords as
//! PBKDF2-SHA256 (100,000 iterations: the most Workers' WebCrypto accepts). Parsing of headers and
//! cookies lives here so it is tested natively; the key derivation itself runs in WebCrypto.

use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "till_session";
pub const SESSION_DAYS: i64 = 14;
pub const PBKDF2_ITERATIONS: u32 = 100_000;

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let h = header?.trim();
    let (scheme, token) = h.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for a session: HttpOnly (no script reads it), Secure, SameSite=Strict (no
/// cross-site request carries it, which is what makes the API CSRF-safe).
pub fn session_cookie(token: &str, max_age_s: i64) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age_s}"
    )
}

/// A stored password verifier: `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl PasswordHash {
    pub fn parse(s: &str) -> Option<PasswordHash> {
        let mut parts = s.split('$');
        if parts.next()? != "pbkdf2-sha256" {
            return None;
        }
        let iterations = parts.next()?.parse().ok()?;
        let salt = hex::decode(parts.next()?).ok()?;
        let hash = hex::decode(parts.next()?).ok()?;
        (parts.next().is_none() && hash.len() == 32 && salt.len() >= 16).then_some(PasswordHash {
            iterations,
            salt,
            hash,
        })
    }

    /// Compare a derived key with the stored one in constant time.
    pub fn matches(&self, derived: &[u8]) -> bool {
        derived.len() == self.hash.len()
            && derived
                .iter()
                .zip(&self.hash)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl std::fmt::Display for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pbkdf2-sha256${}${}${}",
            self.iterations,
            hex::encode(&self.salt),
            hex::encode(&self.hash)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_cookie_parsing() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
        assert_eq!(
            cookie(Some("a=1; till_session=xyz; b=2"), SESSION_COOKIE),
            Some("xyz")
        );
        assert_eq!(cookie(Some("till_sessionx=1"), SESSION_COOKIE), None);
    }

    #[test]
    fn session_cookie_is_locked_down() {
        let c = session_cookie("t", 60);
        for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(c.contains(attr), "{attr}");
        }
    }

    #[test]
    fn password_hash_round_trips_and_compares() {
        let h = PasswordHash {
            iterations: 100_000,
            salt: vec![7; 16],
            hash: vec![9; 32],
        };
        let s = h.to_string();
        assert_eq!(PasswordHash::parse(&s), Some(h.clone()));
        assert!(h.matches(&[9; 32]));
        assert!(!h.matches(&[9; 31]));
        assert!(!h.matches(&[8; 32]));
        assert_eq!(PasswordHash::parse("md5$1$00$00"), None);
        assert_eq!(PasswordHash::parse(&format!("{s}$extra")), None);
    }
}
