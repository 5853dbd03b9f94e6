//! Staff: who works the tills, what each role may do on its own, and the PIN verifiers lanes use
//! to sign cashiers in and take a manager's approval with no network. The PIN itself is never
//! stored anywhere: the owner types it once, the edge turns it into a verifier (PBKDF2-SHA256,
//! salted), and only the verifier reaches lanes by sync.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Iterations for a staff PIN. A PIN has 10^4–10^8 values, so no iteration count makes a stolen
/// verifier safe by itself; what protects a PIN is that verifiers live only on paired lanes and
/// the lane locks after repeated misses (`PinGuard`). The count keeps a sign-in under ~0.2 s in
/// wasm while trying every active member of a large store.
pub const PIN_ITERATIONS: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Cashier,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "manager" => Some(Role::Manager),
            "cashier" => Some(Role::Cashier),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Cashier => "cashier",
        }
    }

    /// Whether someone in this role may do `action` without anyone else's approval (and so may
    /// approve it for a cashier).
    pub fn may(self, _action: Action) -> bool {
        match self {
            Role::Owner | Role::Manager => true,
            // Cashiers ring up, take payment, park and void open carts; everything that gives
            // money or goods away, or opens the drawer without a sale, needs a second person.
            Role::Cashier => false,
        }
    }
}

/// What a cashier needs a manager for. Each approval is recorded as an audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A price changed by more than the store's threshold.
    PriceOverride,
    /// Money back to a customer.
    Refund,
    /// A completed sale cancelled.
    VoidSale,
    /// The drawer opened with no sale.
    NoSale,
    /// A discount above the store's limit.
    Discount,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::PriceOverride => "price_override",
            Action::Refund => "refund",
            Action::VoidSale => "void_sale",
            Action::NoSale => "no_sale",
            Action::Discount => "discount",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffError {
    #[error("a PIN is 4 to 8 digits")]
    PinFormat,
    #[error("a PIN of one repeated digit or a straight run (1234) is too easy to guess")]
    PinTooEasy,
    #[error("give the person's name")]
    NoName,
    #[error("a name is at most 60 characters")]
    NameTooLong,
    #[error("that PIN is not right")]
    WrongPin,
    #[error("too many wrong PINs: try again in {0} s")]
    LockedOut(u32),
    #[error("{0} cannot approve this: a manager's PIN is needed")]
    NotAllowed(String),
    #[error("the stored PIN verifier is unreadable")]
    BadVerifier,
}

/// Check a PIN the owner wants to set: digits only, 4–8 of them, not trivially guessable.
pub fn validate_pin(pin: &str) -> Result<(), StaffError> {
    let digits: Vec<u8> = pin.bytes().collect();
    if !(4..=8).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return Err(StaffError::PinFormat);
    }
    let same = digits.iter().all(|d| *d == digits[0]);
    let step = |up: bool| {
        digits.windows(2).all(|w| {
            if up {
                w[1] == w[0] + 1
            } else {
                w[0] == w[1] + 1
            }
        })
    };
    if same || step(true) || step(false) {
        return Err(StaffError::PinTooEasy);
    }
    Ok(())
}

pub fn validate_name(name: &str) -> Result<String, StaffError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StaffError::NoName);
    }
    if name.chars().count() > 60 {
        return Err(StaffError::NameTooLong);
    }
    Ok(name.to_string())
}

/// PBKDF2-HMAC-SHA256 (RFC 8018) for a 32-byte key: one block, so the loop is the whole
/// algorithm. The keyed HMAC is made once and cloned per round instead of re-keyed.
pub fn pbkdf2_sha256(secret: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let keyed = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    let mut mac = keyed.clone();
    mac.update(salt);
    mac.update(&1u32.to_be_bytes());
    let mut u: [u8; 32] = mac.finalize().into_bytes().into();
    let mut out = u;
    for _ in 1..iterations.max(1) {
        let mut mac = keyed.clone();
        mac.update(&u);
        u = mac.finalize().into_bytes().into();
        out.iter_mut().zip(&u).for_each(|(o, b)| *o ^= b);
    }
    out
}

/// A stored secret verifier: `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`. Used for owner
/// passwords (derived by WebCrypto on the edge) and staff PINs (derived here, on either side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl Verifier {
    /// A new verifier for `secret` with a random `salt` the caller provides (core has no
    /// randomness of its own).
    pub fn derive(secret: &str, salt: [u8; 16], iterations: u32) -> Verifier {
        Verifier {
            iterations,
            salt: salt.to_vec(),
            hash: pbkdf2_sha256(secret.as_bytes(), &salt, iterations).to_vec(),
        }
    }

    pub fn parse(s: &str) -> Option<Verifier> {
        let mut parts = s.split('$');
        if parts.next()? != "pbkdf2-sha256" {
            return None;
        }
        let iterations = parts.next()?.parse().ok()?;
        let salt = hex::decode(parts.next()?).ok()?;
        let hash = hex::decode(parts.next()?).ok()?;
        // Bounded so a hostile verifier cannot make a lane spin for minutes.
        let sane = (1..=1_000_000).contains(&iterations);
        (parts.next().is_none() && hash.len() == 32 && salt.len() >= 16 && sane).then_some(
            Verifier {
                iterations,
                salt,
                hash,
            },
        )
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

    /// Derive from `secret` with this verifier's salt and count, and compare.
    pub fn verify(&self, secret: &str) -> bool {
        self.matches(&pbkdf2_sha256(
            secret.as_bytes(),
            &self.salt,
            self.iterations,
        ))
    }
}

impl std::fmt::Display for Verifier {
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

/// A person who works a store's tills, as lanes receive it by sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The PIN's verifier (see `Verifier`); never the PIN.
    pub pin: String,
    /// A deactivated member stays in the list (old receipts name them) but cannot sign in.
    pub active: bool,
}

impl StaffMember {
    pub fn pin_matches(&self, pin: &str) -> bool {
        Verifier::parse(&self.pin).is_some_and(|v| v.verify(pin))
    }
}

/// The store's staff on a lane.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub members: Vec<StaffMember>,
}

impl Roster {
    /// Add or replace a member (by id), as a pull delivers them.
    pub fn upsert(&mut self, member: StaffMember) {
        match self.members.iter_mut().find(|m| m.id == member.id) {
            Some(m) => *m = member,
            None => self.members.push(member),
        }
    }

    pub fn get(&self, id: &str) -> Option<&StaffMember> {
        self.members.iter().find(|m| m.id == id)
    }

    /// The active member whose PIN this is. PINs are unique among a store's active staff (the
    /// edge refuses a duplicate), so the PIN alone says who is signing in.
    pub fn identify(&self, pin: &str) -> Option<&StaffMember> {
        if validate_pin_shape(pin).is_err() {
            return None;
        }
        self.members
            .iter()
            .filter(|m| m.active)
            .find(|m| m.pin_matches(pin))
    }

    /// The active member with this PIN, if they may approve `action`.
    pub fn approver(&self, pin: &str, action: Action) -> Result<&StaffMember, StaffError> {
        let m = self.identify(pin).ok_or(StaffError::WrongPin)?;
        if m.role.may(action) {
            Ok(m)
        } else {
            Err(StaffError::NotAllowed(m.name.clone()))
        }
    }

    /// The store has nobody set up yet: the till works without sign-in until the owner adds
    /// staff (a one-person shop may never).
    pub fn is_empty(&self) -> bool {
        !self.members.iter().any(|m| m.active)
    }
}

/// A PIN typed at the till must at least look like one before any key is derived.
fn validate_pin_shape(pin: &str) -> Result<(), StaffError> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(StaffError::PinFormat)
    }
}

/// Wrong PINs in a row lock the PIN pad for a while, doubling each time: guessing a 4-digit PIN
/// at the till then takes days, not minutes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinGuard {
    pub misses: u32,
    pub locked_until_ms: i64,
}

impl PinGuard {
    /// Misses allowed before the first lock.
    pub const FREE_MISSES: u32 = 5;
    const FIRST_LOCK_MS: i64 = 30_000;
    const LONGEST_LOCK_MS: i64 = 15 * 60_000;

    /// Refuse a try while locked.
    pub fn check(&self, now_ms: i64) -> Result<(), StaffError> {
        if now_ms < self.locked_until_ms {
            let s = (self.locked_until_ms - now_ms + 999) / 1000;
            return Err(StaffError::LockedOut(s.min(u32::MAX as i64) as u32));
        }
        Ok(())
    }

    pub fn missed(&mut self, now_ms: i64) {
        self.misses = self.misses.saturating_add(1);
        if self.misses >= Self::FREE_MISSES {
            let doublings = (self.misses - Self::FREE_MISSES).min(10);
            let lock = (Self::FIRST_LOCK_MS << doublings).min(Self::LONGEST_LOCK_MS);
            self.locked_until_ms = now_ms + lock;
        }
    }

    pub fn succeeded(&mut self) {
        *self = PinGuard::default();
    }
}

/// A manager let a cashier do something they may not do alone: the audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub action: Action,
    /// Who approved (a manager or the owner).
    pub approver_id: String,
    /// The cashier signed in at the time, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier_id: Option<String>,
    /// The sale, refund or cart it was for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_id: Option<uuid::Uuid>,
    /// What was approved, in words ("price 300 → 150: damaged box").
    pub detail: String,
}

impl Approval {
    pub fn validate(&self) -> Result<(), String> {
        if self.approver_id.trim().is_empty() {
            return Err("an approval names who approved it".into());
        }
        if self.detail.chars().count() > 500 {
            return Err("an approval's detail is at most 500 characters".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_matches_published_vectors() {
        // PBKDF2-HMAC-SHA256 test vectors for P="password", S="salt" (as published alongside
        // RFC 7914 / widely reproduced from RFC 6070's SHA-1 set): c=1 and c=2, dkLen=32.
        assert_eq!(
            hex::encode(pbkdf2_sha256(b"password", b"salt", 1)),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
        );
        assert_eq!(
            hex::encode(pbkdf2_sha256(b"password", b"salt", 2)),
            "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"
        );
        assert_eq!(
            hex::encode(pbkdf2_sha256(b"password", b"salt", 4096)),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        );
    }

    #[test]
    fn a_verifier_round_trips_and_checks_only_its_pin() {
        let v = Verifier::derive("2580", [7; 16], 1_000);
        let stored = v.to_string();
        let back = Verifier::parse(&stored).unwrap();
        assert_eq!(back, v);
        assert!(back.verify("2580"));
        assert!(!back.verify("2581"));
        assert!(Verifier::parse("pbkdf2-sha256$0$00$00").is_none());
        assert!(Verifier::parse(&stored.replace("$1000$", "$99999999$")).is_none());
        assert!(Verifier::parse("md5$1$aa$bb").is_none());
    }

    #[test]
    fn easy_pins_are_refused() {
        assert_eq!(validate_pin("12a4"), Err(StaffError::PinFormat));
        assert_eq!(validate_pin("123"), Err(StaffError::PinFormat));
        assert_eq!(validate_pin("123456789"), Err(StaffError::PinFormat));
        assert_eq!(validate_pin("1111"), Err(StaffError::PinTooEasy));
        assert_eq!(validate_pin("1234"), Err(StaffError::PinTooEasy));
        assert_eq!(validate_pin("9876"), Err(StaffError::PinTooEasy));
        assert_eq!(validate_pin("2580"), Ok(()));
    }

    fn member(id: &str, role: Role, pin: &str, active: bool) -> StaffMember {
        StaffMember {
            id: id.into(),
            name: format!("name {id}"),
            role,
            pin: Verifier::derive(pin, [id.len() as u8; 16], 100).to_string(),
            active,
        }
    }

    #[test]
    fn the_pin_says_who_signs_in_and_only_managers_approve() {
        let mut roster = Roster::default();
        assert!(roster.is_empty());
        roster.upsert(member("c1", Role::Cashier, "4711", true));
        roster.upsert(member("m1", Role::Manager, "8080", true));
        roster.upsert(member("gone", Role::Manager, "5555", false));
        assert_eq!(roster.identify("4711").unwrap().id, "c1");
        assert!(roster.identify("5555").is_none(), "deactivated");
        assert!(roster.identify("0000").is_none());
        assert!(roster.identify("47x1").is_none());
        assert_eq!(
            roster.approver("8080", Action::Refund).unwrap().id,
            "m1".to_string()
        );
        assert_eq!(
            roster.approver("4711", Action::Refund),
            Err(StaffError::NotAllowed("name c1".into()))
        );
        assert_eq!(
            roster.approver("1357", Action::NoSale),
            Err(StaffError::WrongPin)
        );
        // A pull replaces a member in place.
        roster.upsert(member("c1", Role::Cashier, "4711", false));
        assert!(roster.identify("4711").is_none());
        assert_eq!(roster.members.len(), 3);
    }

    #[test]
    fn wrong_pins_lock_the_pad_longer_each_time() {
        let mut g = PinGuard::default();
        for _ in 0..4 {
            g.missed(0);
            assert!(g.check(0).is_ok());
        }
        g.missed(0);
        assert_eq!(g.check(0), Err(StaffError::LockedOut(30)));
        assert!(g.check(30_000).is_ok());
        g.missed(30_000);
        assert_eq!(g.check(30_000), Err(StaffError::LockedOut(60)));
        for _ in 0..20 {
            g.missed(0);
        }
        assert_eq!(g.check(0), Err(StaffError::LockedOut(900)), "capped");
        g.succeeded();
        assert!(g.check(0).is_ok());
    }

    #[test]
    fn roles_wire_names_round_trip() {
        for r in [Role::Owner, Role::Manager, Role::Cashier] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert!(Role::Manager.may(Action::NoSale));
        assert!(!Role::Cashier.may(Action::PriceOverride));
    }
}
