//! The files adapter: save text as a download, read a file the user picked. Screens call these
//! and never touch Blob, URL or File themselves.

use crate::i18n::{tr, trf};
use till_core::text::Text;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone)]
pub enum FileError {
    Save(String),
    Read(String),
    NoneChosen,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Save(why) => f.write_str(&trf(Text::LaneFileSaveFailed, &[("reason", why)])),
            FileError::Read(why) => f.write_str(&trf(Text::LaneFileReadFailed, &[("reason", why)])),
            FileError::NoneChosen => f.write_str(tr(Text::LaneFileNoneChosen)),
        }
    }
}

impl std::error::Error for FileError {}

fn js(e: wasm_bindgen::JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| tr(Text::LaneUnknownError).into())
}

/// Offer `text` as a file named `name` (the browser's download, no server involved: this works
/// offline, which is when a rescue export is needed).
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), FileError> {
    let save = |e| FileError::Save(js(e));
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(save)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(save)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| FileError::Save(tr(Text::LaneNoDocument).into()))?;
    let a: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(save)?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The click has handed the blob to the download; the URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The text of the first file chosen in an `<input type="file">`.
pub async fn read_chosen(input: &web_sys::HtmlInputElement) -> Result<String, FileError> {
    let file = input
        .files()
        .and_then(|f| f.get(0))
        .ok_or(FileError::NoneChosen)?;
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| FileError::Read(js(e)))?;
    text.as_string()
        .ok_or_else(|| FileError::Read(tr(Text::LaneFileNotText).into()))
}
