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

/// A stored password verifier (`pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`): the same
/// format and comparison as staff PINs, so it lives in core.
pub use till_core::staff::Verifier as PasswordHash;

/// Normalise an email for an account (trimmed, at most 254 characters, one @ with something on
/// both sides and a dot in the domain). Case is kept; D1 compares emails case-insensitively.
pub fn email(input: &str) -> Option<String> {
    let e = input.trim();
    let (local, domain) = e.split_once('@')?;
    let ok = e.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| e.to_string())
}

/// Why a new password is refused, if it is: long enough to resist guessing (a KDF slows each
/// guess; only length makes the space large), short enough not to be a denial-of-service lever.
pub fn password_problem(password: &str) -> Option<&'static str> {
    let n = password.chars().count();
    if n < 10 {
        return Some("a password has at least 10 characters");
    }
    if n > 200 {
        return Some("a password has at most 200 characters");
    }
    let first = password.chars().next()?;
    if password.chars().all(|c| c == first) {
        return Some("a password of one repeated character is too easy to guess");
    }
    None
}

/// A limit on failed attempts within a sliding window (sign-in per account, per address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: i64,
    pub window_ms: i64,
}

/// Five wrong passwords for one account in 15 minutes, then wait: slow enough to stop guessing,
/// short enough that an owner who mistyped is not locked out for long.
pub const LOGIN_PER_ACCOUNT: Limit = Limit {
    max_failures: 5,
    window_ms: 15 * 60_000,
};
/// One address trying many accounts (credential stuffing).
pub const LOGIN_PER_ADDRESS: Limit = Limit {
    max_failures: 30,
    window_ms: 15 * 60_000,
};
/// Wrong pairing codes from one address: a code has 40 random bits and lives 15 minutes, so
/// guessing is hopeless anyway; this keeps anyone from trying at volume.
pub const PAIRING_PER_ADDRESS: Limit = Limit {
    max_failures: 20,
    window_ms: 15 * 60_000,
};
/// Sign-ups from one address in an hour (each costs a key derivation and rows).
pub const SIGNUPS_PER_ADDRESS: Limit = Limit {
    max_failures: 20,
    window_ms: 60 * 60_000,
};

impl Limit {
    /// Seconds to wait before another attempt, or None if one is allowed now, given the
    /// failures counted since `window_start_ms`.
    pub fn wait_s(&self, failures: i64, window_start_ms: i64, now_ms: i64) -> Option<i64> {
        let window_end = window_start_ms + self.window_ms;
        (failures >= self.max_failures && now_ms < window_end)
            .then(|| (window_end - now_ms + 999) / 1000)
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
    fn emails_and_passwords_for_new_accounts() {
        assert_eq!(
            email(" Owner@Shop.example "),
            Some("Owner@Shop.example".into())
        );
        for bad in [
            "",
            "owner",
            "@shop.jp",
            "owner@shop",
            "a@b@c.jp",
            "o wner@shop.jp",
            "o@.jp",
        ] {
            assert_eq!(email(bad), None, "{bad}");
        }
        assert!(password_problem("short").is_some());
        assert!(password_problem("aaaaaaaaaaaa").is_some());
        assert!(password_problem(&"x".repeat(201)).is_some());
        assert_eq!(password_problem("correct horse battery"), None);
        assert_eq!(password_problem("パスワードは十文字以上"), None);
    }

    #[test]
    fn a_limit_waits_out_the_rest_of_its_window() {
        let l = LOGIN_PER_ACCOUNT;
        assert_eq!(l.wait_s(4, 0, 1_000), None);
        assert_eq!(l.wait_s(5, 0, 1_000), Some(899));
        assert_eq!(l.wait_s(50, 0, 15 * 60_000), None, "the window has passed");
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
