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

/// How long a pairing code works after the owner made it.
pub const PAIRING_MINUTES: i64 = 15;

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed from a phone
/// screen has nothing to confuse.
const PAIRING_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A pairing code from 40 random bits: 8 characters, shown as "ABCD-EFGH".
pub fn pairing_code(random: [u8; 5]) -> String {
    let bits = random.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
    let chars: String = (0..8)
        .rev()
        .map(|i| PAIRING_ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// What the cashier typed, as the canonical 8 characters (spaces and hyphens dropped, any
/// case; O read as 0, I and L as 1), or None if it cannot be a code.
pub fn normalise_pairing_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (code.len() == 8 && code.bytes().all(|b| PAIRING_ALPHABET.contains(&b))).then_some(code)
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

    #[test]
    fn pairing_codes_read_back_however_they_are_typed() {
        let code = pairing_code([0xde, 0xad, 0xbe, 0xef, 0x01]);
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        let canonical = normalise_pairing_code(&code).unwrap();
        assert_eq!(
            normalise_pairing_code(&code.to_lowercase()),
            Some(canonical.clone())
        );
        assert_eq!(
            normalise_pairing_code(&format!(" {} ", canonical.replace('0', "o"))),
            Some(canonical)
        );
        assert_eq!(normalise_pairing_code("ABCD-EFG"), None);
        assert_eq!(normalise_pairing_code("ABCD-EFGU"), None);
        assert_eq!(pairing_code([0; 5]), "0000-0000");
        assert_eq!(pairing_code([0xff; 5]), "ZZZZ-ZZZZ");
    }
}
