//! Customers: made on whichever lane meets them first, with an id made on that device (UUIDv7)
//! so two lanes offline at once never collide; the edge passes them to every lane of the store.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("a customer needs a name")]
    NoName,
    #[error("{0} is not an email address")]
    BadEmail(String),
    #[error("a {0} longer than {1} characters is not accepted")]
    TooLong(&'static str, usize),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// A US sales-tax exemption certificate, applied to this customer's sales when attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_exempt_certificate: Option<String>,
}

impl Customer {
    pub fn validate(&self) -> Result<(), CustomerError> {
        if self.name.trim().is_empty() {
            return Err(CustomerError::NoName);
        }
        for (field, value, max) in [
            ("name", &self.name, 200),
            ("phone number", &self.phone, 40),
            ("email address", &self.email, 254),
        ] {
            if value.chars().count() > max {
                return Err(CustomerError::TooLong(field, max));
            }
        }
        let email = self.email.trim();
        if !email.is_empty() {
            let ok = email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
            if !ok {
                return Err(CustomerError::BadEmail(email.to_string()));
            }
        }
        Ok(())
    }

    /// What a cashier types to find this customer: name, phone digits or email, any case.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return false;
        }
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        self.name.to_lowercase().contains(&q)
            || self.email.to_lowercase().contains(&q)
            || (digits.len() >= 3
                && self
                    .phone
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
                    .contains(&digits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, phone: &str, email: &str) -> Customer {
        Customer {
            id: Uuid::from_u128(1),
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            tax_exempt_certificate: None,
        }
    }

    #[test]
    fn customers_need_a_name_and_a_plausible_email() {
        assert_eq!(c("山田 花子", "090-1234-5678", "").validate(), Ok(()));
        assert_eq!(c(" ", "", "").validate(), Err(CustomerError::NoName));
        assert!(c("A", "", "not-an-email").validate().is_err());
        assert_eq!(c("A", "", "a@example.jp").validate(), Ok(()));
    }

    #[test]
    fn found_by_name_phone_digits_or_email() {
        let x = c("山田 花子", "090-1234-5678", "hanako@example.jp");
        assert!(x.matches("山田"));
        assert!(x.matches("09012345678"));
        assert!(x.matches("1234"));
        assert!(x.matches("HANAKO@"));
        assert!(!x.matches("12"));
        assert!(!x.matches(""));
    }
}
