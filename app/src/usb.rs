//! The WebUSB adapter: USB printer-class devices (class 7), the usual way a thermal printer
//! plugs into Android, ChromeOS, macOS and Linux. Claims the printer interface, writes on its
//! bulk OUT endpoint and reads status answers on its bulk IN endpoint where it has one.

use crate::webdev::{self, DeviceApiError, Result};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use till_core::device::{DeviceInfo, Transport};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A USB device the page may use (`USBDevice`).
    #[derive(Clone, Debug)]
    pub type UsbDevice;
    #[wasm_bindgen(method)]
    fn open(this: &UsbDevice) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn close(this: &UsbDevice) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn forget(this: &UsbDevice) -> js_sys::Promise;
    #[wasm_bindgen(method, getter)]
    fn opened(this: &UsbDevice) -> bool;
    #[wasm_bindgen(method, getter)]
    fn configuration(this: &UsbDevice) -> JsValue;
    #[wasm_bindgen(method, js_name = selectConfiguration)]
    fn select_configuration(this: &UsbDevice, n: u8) -> js_sys::Promise;
    #[wasm_bindgen(method, js_name = claimInterface)]
    fn claim_interface(this: &UsbDevice, n: u8) -> js_sys::Promise;
    #[wasm_bindgen(method, js_name = transferOut)]
    fn transfer_out(this: &UsbDevice, endpoint: u8, data: &js_sys::Uint8Array) -> js_sys::Promise;
    #[wasm_bindgen(method, js_name = transferIn)]
    fn transfer_in(this: &UsbDevice, endpoint: u8, length: u32) -> js_sys::Promise;
}

const API: &str = "usb";
/// The USB printer class.
const PRINTER_CLASS: u8 = 7;

/// Ask the cashier to choose a printer (the chooser lists printer-class devices).
pub async fn request() -> Result<UsbDevice> {
    let usb = webdev::navigator_api(API)?;
    let f: js_sys::Function = webdev::get(&usb, "requestDevice").unchecked_into();
    let filter = webdev::object(&[("classCode", JsValue::from(PRINTER_CLASS))]);
    let opts = webdev::object(&[("filters", js_sys::Array::of1(&filter).into())]);
    let p = f.call1(&usb, &opts).map_err(DeviceApiError::from_js)?;
    Ok(webdev::wait(p.unchecked_into()).await?.unchecked_into())
}

pub async fn devices() -> Result<Vec<UsbDevice>> {
    let usb = webdev::navigator_api(API)?;
    let f: js_sys::Function = webdev::get(&usb, "getDevices").unchecked_into();
    let p = f.call0(&usb).map_err(DeviceApiError::from_js)?;
    Ok(webdev::array(&webdev::wait(p.unchecked_into()).await?)
        .into_iter()
        .map(JsCast::unchecked_into)
        .collect())
}

pub fn info(d: &UsbDevice) -> DeviceInfo {
    DeviceInfo {
        transport: Transport::Usb,
        vendor_id: webdev::get_u16(d, "vendorId"),
        product_id: webdev::get_u16(d, "productId"),
        serial_number: webdev::get_string(d, "serialNumber"),
        product_name: webdev::get_string(d, "productName"),
    }
}

pub async fn forget(d: &UsbDevice) -> Result<()> {
    if webdev::get(d, "forget").is_function() {
        webdev::wait(d.forget()).await?;
    }
    Ok(())
}

/// A claimed printer interface.
#[derive(Clone)]
pub struct UsbLink {
    device: UsbDevice,
    out_ep: u8,
    in_ep: Option<u8>,
    rx: Rc<RefCell<VecDeque<u8>>>,
    /// A status read still waiting on the device.
    pending: Rc<RefCell<Option<js_sys::Promise>>>,
}

/// The printer interface and its bulk endpoints, from the active configuration.
fn find_interface(config: &JsValue) -> Option<(u8, u8, Option<u8>)> {
    for iface in webdev::array(&webdev::get(config, "interfaces")) {
        let number = webdev::get(&iface, "interfaceNumber").as_f64()? as u8;
        for alt in webdev::array(&webdev::get(&iface, "alternates")) {
            let class = webdev::get(&alt, "interfaceClass").as_f64().unwrap_or(0.0) as u8;
            let mut out_ep = None;
            let mut in_ep = None;
            for ep in webdev::array(&webdev::get(&alt, "endpoints")) {
                if webdev::get_string(&ep, "type").as_deref() != Some("bulk") {
                    continue;
                }
                let n = webdev::get(&ep, "endpointNumber").as_f64().unwrap_or(0.0) as u8;
                match webdev::get_string(&ep, "direction").as_deref() {
                    Some("out") => out_ep = out_ep.or(Some(n)),
                    Some("in") => in_ep = in_ep.or(Some(n)),
                    _ => {}
                }
            }
            if class == PRINTER_CLASS || out_ep.is_some() {
                if let Some(out) = out_ep {
                    return Some((number, out, in_ep));
                }
            }
        }
    }
    None
}

/// USB full-speed bulk packets are 64 bytes; the OS splits larger transfers itself, so a few
/// KB per transfer keeps the number of round trips low without hogging the bus.
const CHUNK: usize = 4096;

impl UsbLink {
    pub async fn open(device: UsbDevice) -> Result<UsbLink> {
        if !device.opened() {
            webdev::wait(device.open()).await?;
        }
        if device.configuration().is_null() || device.configuration().is_undefined() {
            webdev::wait(device.select_configuration(1)).await?;
        }
        let (iface, out_ep, in_ep) =
            find_interface(&device.configuration()).ok_or_else(|| DeviceApiError::Js {
                message: "this USB device has no printer interface".into(),
                value: JsValue::NULL,
            })?;
        webdev::wait(device.claim_interface(iface)).await?;
        Ok(UsbLink {
            device,
            out_ep,
            in_ep,
            rx: Rc::default(),
            pending: Rc::default(),
        })
    }

    pub fn two_way(&self) -> bool {
        self.in_ep.is_some()
    }

    pub async fn write(&self, bytes: &[u8]) -> Result<()> {
        for chunk in bytes.chunks(CHUNK) {
            let arr = js_sys::Uint8Array::from(chunk);
            let r = webdev::wait(self.device.transfer_out(self.out_ep, &arr)).await?;
            match webdev::get_string(&r, "status").as_deref() {
                Some("ok") | None => {}
                Some("stall") => return Err(DeviceApiError::Busy),
                Some(other) => {
                    return Err(DeviceApiError::Js {
                        message: format!("the printer refused the data ({other})"),
                        value: r,
                    })
                }
            }
        }
        Ok(())
    }

    pub fn clear(&self) {
        self.rx.borrow_mut().clear();
    }

    /// The first byte the printer sends within `ms`.
    pub async fn read_byte(&self, ms: u32) -> Option<u8> {
        if let Some(b) = self.rx.borrow_mut().pop_front() {
            return Some(b);
        }
        let ep = self.in_ep?;
        // A transfer the timeout beat is still pending on the device: wait on that one again
        // rather than start another, or the byte it brings would be lost.
        let transfer = self
            .pending
            .borrow_mut()
            .take()
            .unwrap_or_else(|| self.device.transfer_in(ep, 64));
        let race =
            js_sys::Promise::race(&js_sys::Array::of2(&transfer, &webdev::timeout(ms as i32)));
        let r = webdev::wait(race).await.ok()?;
        if r.is_undefined() {
            *self.pending.borrow_mut() = Some(transfer);
            return None;
        }
        let mut rx = self.rx.borrow_mut();
        rx.extend(webdev::bytes(&webdev::get(&r, "data")));
        rx.pop_front()
    }

    pub async fn close(&self) {
        let _ = webdev::wait(self.device.close()).await;
    }
}
