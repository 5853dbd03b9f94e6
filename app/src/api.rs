//! The one HTTP adapter: JSON requests to the edge, with failures sorted into what the cashier
//! needs to know — offline, edge unreachable, or edge refused (with its message).

use crate::i18n::{tr, trf};
use serde::{de::DeserializeOwned, Serialize};
use till_core::text::Text;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Offline,
    Unreachable(String),
    /// The edge answered with an error: its code and sentence.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    BadAnswer(String),
}

/// In the cashier's language; the edge's own sentence is shown as the edge wrote it.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Offline => f.write_str(tr(Text::LaneApiOffline)),
            ApiError::Unreachable(why) => {
                f.write_str(&trf(Text::LaneApiUnreachable, &[("reason", why)]))
            }
            ApiError::Refused { message, .. } => f.write_str(message),
            ApiError::BadAnswer(why) => {
                f.write_str(&trf(Text::LaneApiBadAnswer, &[("reason", why)]))
            }
        }
    }
}

impl std::error::Error for ApiError {}

pub async fn get<T: DeserializeOwned>(path: &str, token: Option<&str>) -> Result<T, ApiError> {
    request("GET", path, token, None).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
    body: &B,
) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|e| ApiError::BadAnswer(e.to_string()))?;
    request("POST", path, token, Some(body)).await
}

/// POST a body that is already JSON text.
pub async fn post_json<T: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
    body: String,
) -> Result<T, ApiError> {
    request("POST", path, token, Some(body)).await
}

async fn request<T: DeserializeOwned>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<T, ApiError> {
    let window =
        web_sys::window().ok_or_else(|| ApiError::Unreachable(tr(Text::LaneNoWindow).into()))?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(js_err)?;
    headers.set("Accept", "application/json").map_err(js_err)?;
    if let Some(t) = token {
        headers
            .set("Authorization", &format!("Bearer {t}"))
            .map_err(js_err)?;
    }
    if let Some(b) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(js_err)?;
        init.set_body(&JsValue::from_str(&b));
    }
    init.set_headers(&headers);
    let resp = match JsFuture::from(window.fetch_with_str_and_init(path, &init)).await {
        Ok(r) => r.unchecked_into::<Response>(),
        // fetch rejects only on network failure; navigator.onLine=false tells "offline" apart,
        // but a true onLine proves nothing, so anything else is "unreachable".
        Err(_) if !window.navigator().on_line() => return Err(ApiError::Offline),
        Err(e) => return Err(ApiError::Unreachable(js_text(&e))),
    };
    let text = JsFuture::from(resp.text().map_err(js_err)?)
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    if !resp.ok() {
        let parsed: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        let field = |k: &str| {
            parsed
                .as_ref()
                .and_then(|v| v["error"][k].as_str())
                .map(str::to_string)
        };
        return Err(match (field("code"), field("message")) {
            (Some(code), Some(message)) => ApiError::Refused {
                status: resp.status(),
                code,
                message,
            },
            // No JSON error body: a proxy or the platform answered, not our edge.
            _ => ApiError::Unreachable(format!("HTTP {}", resp.status())),
        });
    }
    serde_json::from_str(&text).map_err(|e| ApiError::BadAnswer(e.to_string()))
}

fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

fn js_err(e: JsValue) -> ApiError {
    ApiError::Unreachable(js_text(&e))
}
