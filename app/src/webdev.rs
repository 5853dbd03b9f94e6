//! What the three device APIs (WebSerial, WebHID, WebUSB) share: how their failures read, and
//! awaiting their promises. Each API's own adapter is `serial`, `hid` and `usb`.

use crate::i18n::{tr, trf};
use js_sys::{Promise, Reflect};
use till_core::text::Text;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A device call failed. Keeps the browser's error for the log; `Display` is for a cashier.
#[derive(Debug, Clone)]
pub enum DeviceApiError {
    Unsupported(&'static str),
    Cancelled,
    NotAllowed,
    Busy,
    Gone,
    Js { message: String, value: JsValue },
}

impl std::fmt::Display for DeviceApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeviceApiError::Unsupported(api) => {
                f.write_str(&trf(Text::LaneDeviceUnsupported, &[("api", api)]))
            }
            DeviceApiError::Cancelled => f.write_str(tr(Text::LaneDeviceCancelled)),
            DeviceApiError::NotAllowed => f.write_str(tr(Text::LaneDeviceNotAllowed)),
            DeviceApiError::Busy => f.write_str(tr(Text::LaneDeviceBusy)),
            DeviceApiError::Gone => f.write_str(tr(Text::LaneDeviceGone)),
            // The browser's own sentence.
            DeviceApiError::Js {
                message,
                value: _value,
            } => f.write_str(message),
        }
    }
}

impl std::error::Error for DeviceApiError {}

impl DeviceApiError {
    /// Read a DOMException's name into the error a cashier can act on.
    pub fn from_js(value: JsValue) -> DeviceApiError {
        let field = |k: &str| {
            Reflect::get(&value, &JsValue::from_str(k))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        match field("name").as_str() {
            "NotFoundError" => DeviceApiError::Cancelled,
            "SecurityError" | "NotAllowedError" => DeviceApiError::NotAllowed,
            "InvalidStateError" | "NetworkError" if field("message").contains("open") => {
                DeviceApiError::Busy
            }
            "NetworkError" | "NotReadableError" | "AbortError" => DeviceApiError::Gone,
            _ => {
                let message = field("message");
                DeviceApiError::Js {
                    message: if message.is_empty() {
                        format!("{value:?}")
                    } else {
                        message
                    },
                    value,
                }
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, DeviceApiError>;

/// Await a promise from a device API.
pub async fn wait(p: Promise) -> Result<JsValue> {
    JsFuture::from(p).await.map_err(DeviceApiError::from_js)
}

/// `navigator[name]`, if this browser has it.
pub fn navigator_api(name: &'static str) -> Result<JsValue> {
    let nav = web_sys::window()
        .map(|w| JsValue::from(w.navigator()))
        .ok_or(DeviceApiError::Unsupported(name))?;
    match Reflect::get(&nav, &JsValue::from_str(name)) {
        Ok(v) if !v.is_undefined() && !v.is_null() => Ok(v),
        _ => Err(DeviceApiError::Unsupported(name)),
    }
}

/// Plain object field helpers for the option dictionaries these APIs take.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

pub fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_u16(o: &JsValue, key: &str) -> Option<u16> {
    get(o, key).as_f64().map(|v| v as u16)
}

pub fn get_string(o: &JsValue, key: &str) -> Option<String> {
    get(o, key).as_string().filter(|s| !s.is_empty())
}

/// The elements of a JS array (or an empty list for anything else).
pub fn array(v: &JsValue) -> Vec<JsValue> {
    v.dyn_ref::<js_sys::Array>()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// The bytes of a DataView, ArrayBuffer or typed array.
pub fn bytes(v: &JsValue) -> Vec<u8> {
    if let Some(dv) = v.dyn_ref::<js_sys::DataView>() {
        js_sys::Uint8Array::new_with_byte_offset_and_length(
            &dv.buffer(),
            dv.byte_offset() as u32,
            dv.byte_length() as u32,
        )
        .to_vec()
    } else if v.is_instance_of::<js_sys::ArrayBuffer>() {
        js_sys::Uint8Array::new(v).to_vec()
    } else if let Some(a) = v.dyn_ref::<js_sys::Uint8Array>() {
        a.to_vec()
    } else {
        Vec::new()
    }
}

/// Resolve after `ms`, for a bounded wait on a device that may never answer.
pub fn timeout(ms: i32) -> Promise {
    Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    })
}
