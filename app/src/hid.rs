//! The WebHID adapter: HID POS barcode scanners (usage page 0x8C). The scanner's own report
//! description says where the code sits in its reports; core reads it (`scanner::HidLayout`)
//! and assembles the reports into scans.

use crate::webdev::{self, DeviceApiError, Result};
use std::cell::RefCell;
use std::rc::Rc;
use till_core::device::{DeviceInfo, Transport};
use till_core::scanner::{
    HidItem, HidLayout, HidScanner, ScannerError, USAGE_BARCODE_SCANNER, USAGE_PAGE_BARCODE,
};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A HID device the page may use (`HIDDevice`).
    #[derive(Clone, Debug)]
    pub type HidDevice;
    #[wasm_bindgen(method)]
    fn open(this: &HidDevice) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn close(this: &HidDevice) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn forget(this: &HidDevice) -> js_sys::Promise;
    #[wasm_bindgen(method, getter)]
    fn opened(this: &HidDevice) -> bool;
    #[wasm_bindgen(method, getter)]
    fn collections(this: &HidDevice) -> JsValue;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &HidDevice, kind: &str, f: &js_sys::Function);
}

const API: &str = "hid";

fn scanner_filter() -> JsValue {
    let f = webdev::object(&[
        ("usagePage", JsValue::from(USAGE_PAGE_BARCODE)),
        ("usage", JsValue::from(USAGE_BARCODE_SCANNER)),
    ]);
    webdev::object(&[("filters", js_sys::Array::of1(&f).into())])
}

/// Ask the cashier to choose a scanner (the chooser lists only HID POS scanners).
pub async fn request() -> Result<HidDevice> {
    let hid = webdev::navigator_api(API)?;
    let f: js_sys::Function = webdev::get(&hid, "requestDevice").unchecked_into();
    let p = f
        .call1(&hid, &scanner_filter())
        .map_err(DeviceApiError::from_js)?;
    let chosen = webdev::array(&webdev::wait(p.unchecked_into()).await?);
    chosen
        .into_iter()
        .next()
        .map(JsCast::unchecked_into)
        .ok_or(DeviceApiError::Cancelled)
}

pub async fn devices() -> Result<Vec<HidDevice>> {
    let hid = webdev::navigator_api(API)?;
    let f: js_sys::Function = webdev::get(&hid, "getDevices").unchecked_into();
    let p = f.call0(&hid).map_err(DeviceApiError::from_js)?;
    Ok(webdev::array(&webdev::wait(p.unchecked_into()).await?)
        .into_iter()
        .map(JsCast::unchecked_into)
        .collect())
}

pub fn info(d: &HidDevice) -> DeviceInfo {
    DeviceInfo {
        transport: Transport::Hid,
        vendor_id: webdev::get_u16(d, "vendorId"),
        product_id: webdev::get_u16(d, "productId"),
        serial_number: None,
        product_name: webdev::get_string(d, "productName"),
    }
}

pub async fn forget(d: &HidDevice) -> Result<()> {
    if webdev::get(d, "forget").is_function() {
        webdev::wait(d.forget()).await?;
    }
    Ok(())
}

/// The scanner's barcode report, read from the device's collections (HIDCollectionInfo →
/// inputReports → items), searched depth-first.
pub fn layout(d: &HidDevice) -> std::result::Result<HidLayout, ScannerError> {
    fn search(collections: &JsValue) -> Option<HidLayout> {
        for c in webdev::array(collections) {
            for report in webdev::array(&webdev::get(&c, "inputReports")) {
                let id = webdev::get(&report, "reportId").as_f64().unwrap_or(0.0) as u8;
                let items: Vec<HidItem> = webdev::array(&webdev::get(&report, "items"))
                    .iter()
                    .map(|i| HidItem {
                        usages: webdev::array(&webdev::get(i, "usages"))
                            .iter()
                            .filter_map(|u| u.as_f64().map(|u| u as u32))
                            .collect(),
                        usage_minimum: webdev::get(i, "usageMinimum").as_f64().map(|u| u as u32),
                        report_size: webdev::get(i, "reportSize").as_f64().unwrap_or(0.0) as u32,
                        report_count: webdev::get(i, "reportCount").as_f64().unwrap_or(0.0) as u32,
                    })
                    .collect();
                if let Ok(l) = HidLayout::from_items(id, &items) {
                    return Some(l);
                }
            }
            if let Some(l) = search(&webdev::get(&c, "children")) {
                return Some(l);
            }
        }
        None
    }
    search(&d.collections()).ok_or(ScannerError::NoBarcodeReport)
}

/// Open the scanner and hand every scan (or unreadable report) to `on_scan`.
pub async fn listen(
    d: &HidDevice,
    on_scan: impl Fn(std::result::Result<String, ScannerError>) + 'static,
) -> Result<()> {
    let layout = layout(d).map_err(|e| DeviceApiError::Js {
        message: e.to_string(),
        value: JsValue::NULL,
    })?;
    if !d.opened() {
        webdev::wait(d.open()).await?;
    }
    let assembler = Rc::new(RefCell::new(HidScanner::new(layout)));
    let f = Closure::<dyn Fn(JsValue)>::new(move |ev: JsValue| {
        let id = webdev::get(&ev, "reportId").as_f64().unwrap_or(0.0) as u8;
        let data = webdev::bytes(&webdev::get(&ev, "data"));
        match assembler.borrow_mut().report(id, &data) {
            Ok(Some(scan)) => on_scan(Ok(scan.text())),
            Ok(None) => {}
            Err(e) => on_scan(Err(e)),
        }
    });
    d.add_event_listener("inputreport", f.as_ref().unchecked_ref());
    // The listener lives as long as the device stays open: the page's lifetime.
    f.forget();
    Ok(())
}

pub async fn close(d: &HidDevice) {
    let _ = webdev::wait(d.close()).await;
}
