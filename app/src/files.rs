//! The files adapter: save text as a download, read a file the user picked. Screens call these
//! and never touch Blob, URL or File themselves.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, thiserror::Error)]
pub enum FileError {
    #[error("the browser could not save the file: {0}")]
    Save(String),
    #[error("the file could not be read: {0}")]
    Read(String),
    #[error("no file was chosen")]
    NoneChosen,
}

fn js(e: wasm_bindgen::JsValue) -> String {
    e.as_string()
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "unknown error".into())
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
        .ok_or_else(|| FileError::Save("no document".into()))?;
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
        .ok_or_else(|| FileError::Read("not text".into()))
}
