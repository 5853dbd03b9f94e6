//! The WebSerial adapter: serial and USB-CDC scanners and printers (and Bluetooth serial
//! printers). Opens a port with the shop's settings, writes in chunks the port can take, and
//! reads continuously into a buffer the printer driver and the scanner reader share.

use crate::webdev::{self, DeviceApiError, Result};
use std::cell::RefCell;
use std::rc::Rc;
use till_core::device::{DeviceInfo, FlowControl, SerialSettings, Transport};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A port the page may use (`SerialPort`).
    #[derive(Clone, Debug)]
    pub type SerialPort;
    #[wasm_bindgen(method, js_name = getInfo)]
    fn get_info(this: &SerialPort) -> JsValue;
    #[wasm_bindgen(method)]
    fn open(this: &SerialPort, options: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn close(this: &SerialPort) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn forget(this: &SerialPort) -> js_sys::Promise;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &SerialPort) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &SerialPort) -> JsValue;
}

const API: &str = "serial";

/// Ask the cashier to choose a port (needs a click: the browser shows its chooser).
pub async fn request() -> Result<SerialPort> {
    let serial = webdev::navigator_api(API)?;
    let f: js_sys::Function = webdev::get(&serial, "requestPort").unchecked_into();
    let p = f
        .call1(
            &serial,
            &webdev::object(&[("filters", js_sys::Array::new().into())]),
        )
        .map_err(DeviceApiError::from_js)?;
    Ok(webdev::wait(p.unchecked_into()).await?.unchecked_into())
}

/// The ports this page was allowed before, in the browser's order.
pub async fn ports() -> Result<Vec<SerialPort>> {
    let serial = webdev::navigator_api(API)?;
    let f: js_sys::Function = webdev::get(&serial, "getPorts").unchecked_into();
    let p = f.call0(&serial).map_err(DeviceApiError::from_js)?;
    let list = webdev::wait(p.unchecked_into()).await?;
    Ok(webdev::array(&list)
        .into_iter()
        .map(JsCast::unchecked_into)
        .collect())
}

pub fn info(port: &SerialPort) -> DeviceInfo {
    let i = port.get_info();
    DeviceInfo {
        transport: Transport::Serial,
        vendor_id: webdev::get_u16(&i, "usbVendorId"),
        product_id: webdev::get_u16(&i, "usbProductId"),
        serial_number: None,
        product_name: None,
    }
}

/// Take back the page's permission for a port.
pub async fn forget(port: &SerialPort) -> Result<()> {
    if webdev::get(port, "forget").is_function() {
        webdev::wait(port.forget()).await?;
    }
    Ok(())
}

/// Who hears what the device sends (a scanner's line framer).
type Listener = Box<dyn Fn(&[u8])>;

/// An open port: what arrives is appended to `rx` and handed to the listener.
#[derive(Clone)]
pub struct SerialLink {
    port: SerialPort,
    rx: Rc<RefCell<Vec<u8>>>,
    listener: Rc<RefCell<Option<Listener>>>,
    open: Rc<RefCell<bool>>,
    reader: Rc<RefCell<Option<web_sys::ReadableStreamDefaultReader>>>,
}

/// Ports take writes of any size, but USB-CDC bridges buffer little: chunks keep the write
/// promise honest about what the device has taken.
const CHUNK: usize = 256;

impl SerialLink {
    pub async fn open(port: SerialPort, s: &SerialSettings) -> Result<SerialLink> {
        let flow = match s.flow {
            FlowControl::None => "none",
            FlowControl::Hardware => "hardware",
        };
        let opts = webdev::object(&[
            ("baudRate", JsValue::from(s.baud)),
            ("dataBits", JsValue::from(8)),
            ("stopBits", JsValue::from(1)),
            ("parity", JsValue::from_str("none")),
            ("flowControl", JsValue::from_str(flow)),
        ]);
        webdev::wait(port.open(&opts)).await?;
        let link = SerialLink {
            port,
            rx: Rc::default(),
            listener: Rc::default(),
            open: Rc::new(RefCell::new(true)),
            reader: Rc::default(),
        };
        link.clone().read_loop();
        Ok(link)
    }

    /// Everything the device sends goes to `f` from now on (a scanner's reader).
    pub fn listen(&self, f: impl Fn(&[u8]) + 'static) {
        *self.listener.borrow_mut() = Some(Box::new(f));
    }

    fn read_loop(self) {
        leptos::task::spawn_local(async move {
            while *self.open.borrow() {
                let readable = self.port.readable();
                if readable.is_null() || readable.is_undefined() {
                    break;
                }
                let stream: web_sys::ReadableStream = readable.unchecked_into();
                let reader: web_sys::ReadableStreamDefaultReader =
                    stream.get_reader().unchecked_into();
                *self.reader.borrow_mut() = Some(reader.clone());
                loop {
                    let Ok(chunk) = webdev::wait(reader.read()).await else {
                        break;
                    };
                    if webdev::get(&chunk, "done").as_bool() == Some(true) {
                        break;
                    }
                    let bytes = webdev::bytes(&webdev::get(&chunk, "value"));
                    if let Some(f) = self.listener.borrow().as_ref() {
                        f(&bytes);
                    }
                    let mut rx = self.rx.borrow_mut();
                    rx.extend_from_slice(&bytes);
                    // Only status answers are read from here; keep the tail.
                    let excess = rx.len().saturating_sub(4096);
                    rx.drain(..excess);
                }
                reader.release_lock();
                self.reader.borrow_mut().take();
                // A break (parity error, unplugged) ends this reader; a live port gives a new one.
                crate::lane::sleep_ms(200).await;
            }
        });
    }

    pub async fn write(&self, bytes: &[u8]) -> Result<()> {
        let writable = self.port.writable();
        if writable.is_null() || writable.is_undefined() {
            return Err(DeviceApiError::Gone);
        }
        let stream: web_sys::WritableStream = writable.unchecked_into();
        let writer = stream.get_writer().map_err(DeviceApiError::from_js)?;
        let mut out = Ok(());
        for chunk in bytes.chunks(CHUNK) {
            let arr = js_sys::Uint8Array::from(chunk);
            if let Err(e) = webdev::wait(writer.write_with_chunk(&arr)).await {
                out = Err(e);
                break;
            }
        }
        writer.release_lock();
        out
    }

    /// Forget what has arrived so far (before asking the printer something).
    pub fn clear(&self) {
        self.rx.borrow_mut().clear();
    }

    /// The first byte that arrives within `ms`.
    pub async fn read_byte(&self, ms: u32) -> Option<u8> {
        let start = crate::lane::now_ms();
        loop {
            {
                let mut rx = self.rx.borrow_mut();
                if !rx.is_empty() {
                    return Some(rx.remove(0));
                }
            }
            if crate::lane::now_ms() - start > f64::from(ms) {
                return None;
            }
            crate::lane::sleep_ms(10).await;
        }
    }

    pub async fn close(&self) {
        *self.open.borrow_mut() = false;
        // A port with a locked stream will not close: stop the reader first.
        let reader = self.reader.borrow_mut().take();
        if let Some(r) = reader {
            let _ = webdev::wait(r.cancel()).await;
            r.release_lock();
        }
        let _ = webdev::wait(self.port.close()).await;
    }
}
