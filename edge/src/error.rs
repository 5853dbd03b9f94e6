//! The edge's one error enum: every handler returns it, and it becomes the JSON answer
//! `{ "error": { "code", "message" } }` with its HTTP status. Messages are sentences a cashier or
//! owner can act on; internal details are logged, never sent.

use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("sign in first")]
    Unauthenticated,
    #[error("the email or password is wrong")]
    BadCredentials,
    #[error("this device is not paired with a store: pair it again")]
    BadDeviceToken,
    #[error("this lane was removed from the store by the owner; its unsynced sales are kept on the device")]
    LaneRevoked,
    #[error("that pairing code is wrong, used or expired: ask the owner for a new one")]
    BadPairingCode,
    #[error("you do not have access to that")]
    Forbidden,
    #[error("{0} was not found")]
    NotFound(String),
    #[error("the lane uses sync protocol {0}, which this server no longer accepts: reload the till to update it")]
    ProtocolTooOld(u16),
    #[error("too many attempts: try again in {} minute(s)", (.0 + 59) / 60)]
    TooManyAttempts(i64),
    #[error("an account with this email already exists: sign in instead")]
    EmailTaken,
    #[error("something went wrong on the server; try again in a moment")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::TooLarge(_) => 413,
            ApiError::Unauthenticated
            | ApiError::BadCredentials
            | ApiError::BadDeviceToken
            | ApiError::BadPairingCode => 401,
            ApiError::LaneRevoked | ApiError::Forbidden => 403,
            ApiError::NotFound(_) => 404,
            ApiError::ProtocolTooOld(_) => 426,
            ApiError::TooManyAttempts(_) => 429,
            ApiError::EmailTaken => 409,
            ApiError::Internal(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::TooLarge(_) => "too_large",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::BadDeviceToken => "bad_device_token",
            ApiError::LaneRevoked => "lane_revoked",
            ApiError::BadPairingCode => "bad_pairing_code",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::ProtocolTooOld(_) => "protocol_too_old",
            ApiError::TooManyAttempts(_) => "too_many_attempts",
            ApiError::EmailTaken => "email_taken",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn body(&self) -> serde_json::Value {
        json!({ "error": { "code": self.code(), "message": self.to_string() } })
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::BadRequest(format!("the request body is not valid: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_client() {
        let e = ApiError::Internal("D1_ERROR: no such table: lanes".into());
        assert_eq!(e.status(), 500);
        assert!(!e.body().to_string().contains("D1_ERROR"));
    }

    #[test]
    fn the_body_has_code_and_message() {
        let b = ApiError::BadDeviceToken.body();
        assert_eq!(b["error"]["code"], "bad_device_token");
        assert!(b["error"]["message"].as_str().unwrap().contains("pair"));
    }
}
