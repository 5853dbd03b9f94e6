//! The lane's devices: scanners (keyboard wedge, HID, serial), the receipt printer (serial or
//! USB) and the drawer behind it. `DeviceHub` pairs them, remembers them (IndexedDB: pairing is
//! this browser's permission, so it stays on this lane), reconnects them on every load, and
//! hands each scan to the sell screen. `DevicesPanel` is the settings screen.

use crate::i18n::{tr, trf};
use crate::printer::{Link, PrinterDriver};
use crate::serial::{self, SerialLink};
use crate::webdev::DeviceApiError;
use crate::{hid, usb};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use till_core::customer_display::DisplayState;
use till_core::device::{self, Device, DeviceInfo, DeviceKey, Devices, Role, Transport};
use till_core::escpos::{DrawerPin, PaperWidth};
use till_core::pole::{PoleCharset, PoleFrame};
use till_core::scanner::{Affixes, LineFramer, WedgeSettings};
use till_core::text::Text;

const DEVICES_KEY: &str = "devices";

/// One scan from any scanner: a counter (two scans of the same code are two scans) and the
/// text, or why the scanner's data could not be read.
pub type Scanned = (u32, Result<String, String>);

#[derive(Clone, Copy)]
pub struct DeviceHub {
    pub devices: RwSignal<Devices>,
    /// Keys of the devices connected now.
    pub live: RwSignal<Vec<DeviceKey>>,
    pub scanned: RwSignal<Scanned>,
    pub printer: PrinterDriver,
    /// The device screen is open.
    pub panel: RwSignal<bool>,
    /// What the last device action said (an error or "Test page sent").
    pub notice: RwSignal<Option<String>>,
    /// HID devices already listened to, so a reconnect does not read each scan twice.
    listening: StoredValue<Vec<String>>,
    pole: PoleDriver,
}

/// The pole display: the latest state goes out, one write at a time, only when the frame
/// changes (a scan makes one write, not one per reactive update).
#[derive(Clone, Copy)]
struct PoleDriver {
    link: StoredValue<Option<SerialLink>, LocalStorage>,
    state: StoredValue<Option<DisplayState>>,
    shown: StoredValue<Option<PoleFrame>>,
    /// The display has had its reset and character set since it connected.
    ready: StoredValue<bool>,
    busy: StoredValue<bool>,
}

impl PoleDriver {
    fn new() -> PoleDriver {
        PoleDriver {
            link: StoredValue::new_local(None),
            state: StoredValue::new(None),
            shown: StoredValue::new(None),
            ready: StoredValue::new(false),
            busy: StoredValue::new(false),
        }
    }

    fn attach(&self, link: Option<SerialLink>) {
        self.link.set_value(link);
        self.shown.set_value(None);
        self.ready.set_value(false);
    }

    /// Write until the display shows the latest state. Errors go to `on_error`.
    fn kick(self, on_error: impl Fn(String) + 'static) {
        if self.busy.get_value() {
            return;
        }
        let Some(link) = self.link.get_value() else {
            return;
        };
        self.busy.set_value(true);
        leptos::task::spawn_local(async move {
            while let Some(state) = self.state.get_value() {
                let cs = PoleCharset::for_locale(&state.locale);
                let frame = PoleFrame::from_state(&state, cs);
                if self.shown.with_value(|s| s.as_ref() == Some(&frame)) {
                    break;
                }
                let mut bytes = Vec::new();
                if !self.ready.get_value() {
                    bytes.extend(till_core::pole::init(cs));
                }
                bytes.extend(frame.to_bytes());
                if let Err(e) = link.write(&bytes).await {
                    on_error(trf(Text::DevPoleDisplayError, &[("error", &e)]));
                    break;
                }
                self.ready.set_value(true);
                self.shown.set_value(Some(frame));
            }
            self.busy.set_value(false);
        });
    }
}

impl DeviceHub {
    pub fn new() -> DeviceHub {
        DeviceHub {
            devices: RwSignal::new(Devices::default()),
            live: RwSignal::new(Vec::new()),
            scanned: RwSignal::new((0, Ok(String::new()))),
            printer: PrinterDriver::new(),
            panel: RwSignal::new(false),
            notice: RwSignal::new(None),
            listening: StoredValue::new(Vec::new()),
            pole: PoleDriver::new(),
        }
    }

    /// Show the customer display's state on the pole display, if one is connected.
    pub fn show_on_pole(&self, state: &DisplayState) {
        self.pole.state.set_value(Some(state.clone()));
        let notice = self.notice;
        self.pole.kick(move |e| notice.set(Some(e)));
    }

    /// Load the paired devices, reconnect those the browser still allows, and listen for
    /// keyboard-wedge scans.
    pub fn start(self) {
        leptos::task::spawn_local(async move {
            if let Ok(Some(d)) = crate::idb::get::<Devices>(DEVICES_KEY).await {
                self.devices.set(d);
            }
            let devices = self.devices;
            crate::wedge::use_wedge(
                move || devices.with_untracked(|d| d.wedge.clone()),
                move |text| self.scan(Ok(text)),
            );
            self.reconnect().await;
        });
    }

    fn scan(&self, r: Result<String, String>) {
        self.scanned.update(|(n, s)| {
            *n += 1;
            *s = r;
        });
    }

    fn save(&self) {
        let d = self.devices.get_untracked();
        leptos::task::spawn_local(async move {
            let _ = crate::idb::put(DEVICES_KEY, &d).await;
        });
    }

    fn set_live(&self, key: &DeviceKey, on: bool) {
        self.live.update(|l| {
            l.retain(|k| k != key);
            if on {
                l.push(key.clone());
            }
        });
    }

    async fn reconnect(self) {
        let known = self.devices.get_untracked();
        if known.list.is_empty() {
            return;
        }
        for (port, key) in keyed(serial::ports().await.unwrap_or_default(), serial::info) {
            if let Some(d) = known.get(&key) {
                self.report(self.attach_serial(d.clone(), port).await);
            }
        }
        for (dev, key) in keyed(hid::devices().await.unwrap_or_default(), hid::info) {
            if let Some(d) = known.get(&key) {
                self.report(self.attach_hid(d.clone(), dev).await);
            }
        }
        for (dev, key) in keyed(usb::devices().await.unwrap_or_default(), usb::info) {
            if let Some(d) = known.get(&key) {
                self.report(self.attach_usb(d.clone(), dev).await);
            }
        }
    }

    fn report(&self, r: Result<(), DeviceApiError>) {
        if let Err(e) = r {
            self.notice.set(Some(e.to_string()));
        }
    }

    async fn attach_serial(
        &self,
        d: Device,
        port: serial::SerialPort,
    ) -> Result<(), DeviceApiError> {
        let link = SerialLink::open(port, &d.serial).await?;
        match d.role {
            Role::Scanner => {
                let framer = Rc::new(RefCell::new(LineFramer::new()));
                let hub = *self;
                let key = d.key.clone();
                link.listen(move |bytes| {
                    for line in framer.borrow_mut().push(bytes) {
                        hub.scan(
                            line.map(|t| hub.scanner_text(&key, t))
                                .map_err(|e| e.to_string()),
                        );
                    }
                });
            }
            Role::Printer => self.printer.attach(d.name.clone(), Link::Serial(link)),
            Role::PoleDisplay => {
                self.pole.attach(Some(link));
                let notice = self.notice;
                self.pole.kick(move |e| notice.set(Some(e)));
            }
        }
        self.set_live(&d.key, true);
        Ok(())
    }

    async fn attach_hid(&self, d: Device, dev: hid::HidDevice) -> Result<(), DeviceApiError> {
        let first = self.listening.try_update_value(|l| {
            let new = !l.contains(&d.key.0);
            if new {
                l.push(d.key.0.clone());
            }
            new
        });
        if first == Some(true) {
            let hub = *self;
            let key = d.key.clone();
            hid::listen(&dev, move |r| {
                hub.scan(
                    r.map(|t| hub.scanner_text(&key, t))
                        .map_err(|e| e.to_string()),
                )
            })
            .await?;
        }
        self.set_live(&d.key, true);
        Ok(())
    }

    async fn attach_usb(&self, d: Device, dev: usb::UsbDevice) -> Result<(), DeviceApiError> {
        let link = usb::UsbLink::open(dev).await?;
        self.printer.attach(d.name.clone(), Link::Usb(link));
        self.set_live(&d.key, true);
        Ok(())
    }

    /// Remember a device the cashier just chose, under the key its place in the browser's list
    /// gives it.
    fn remember(&self, key: DeviceKey, info: DeviceInfo, role: Role) -> Device {
        let mut out = None;
        self.devices
            .update(|d| out = Some(d.pair(key, info, role).clone()));
        self.save();
        out.expect("pair returns the device")
    }

    /// Pair a serial scanner or printer (a click: the browser shows its port chooser).
    pub async fn pair_serial(self, role: Role) -> Result<String, DeviceApiError> {
        let port = serial::request().await?;
        let key = key_of(&serial::ports().await?, &port, serial::info);
        let d = self.remember(key, serial::info(&port), role);
        self.attach_serial(d.clone(), port).await?;
        Ok(d.name)
    }

    pub async fn pair_hid(self) -> Result<String, DeviceApiError> {
        let dev = hid::request().await?;
        let key = key_of(&hid::devices().await?, &dev, hid::info);
        let d = self.remember(key, hid::info(&dev), Role::Scanner);
        self.attach_hid(d.clone(), dev).await?;
        Ok(d.name)
    }

    pub async fn pair_usb(self) -> Result<String, DeviceApiError> {
        let dev = usb::request().await?;
        let key = key_of(&usb::devices().await?, &dev, usb::info);
        let d = self.remember(key, usb::info(&dev), Role::Printer);
        self.attach_usb(d.clone(), dev).await?;
        Ok(d.name)
    }

    /// Unpair: close it, take back the browser's permission, and forget its settings.
    pub async fn forget(self, key: DeviceKey) -> Result<(), DeviceApiError> {
        let Some(d) = self.devices.with_untracked(|d| d.get(&key).cloned()) else {
            return Ok(());
        };
        if d.role == Role::Printer {
            self.printer.detach().await;
        }
        if d.role == Role::PoleDisplay {
            if let Some(link) = self.pole.link.get_value() {
                link.close().await;
            }
            self.pole.attach(None);
        }
        match d.info.transport {
            Transport::Serial => {
                if let Some((p, _)) = keyed(serial::ports().await?, serial::info)
                    .into_iter()
                    .find(|(_, k)| *k == key)
                {
                    serial::forget(&p).await?;
                }
            }
            Transport::Hid => {
                if let Some((h, _)) = keyed(hid::devices().await?, hid::info)
                    .into_iter()
                    .find(|(_, k)| *k == key)
                {
                    hid::close(&h).await;
                    hid::forget(&h).await?;
                }
                self.listening.update_value(|l| l.retain(|k| *k != key.0));
            }
            Transport::Usb => {
                if let Some((u, _)) = keyed(usb::devices().await?, usb::info)
                    .into_iter()
                    .find(|(_, k)| *k == key)
                {
                    usb::forget(&u).await?;
                }
            }
        }
        self.devices.update(|d| {
            let _ = d.forget(&key);
        });
        self.set_live(&key, false);
        self.save();
        Ok(())
    }

    pub fn rename(&self, key: &DeviceKey, name: &str) -> Result<(), String> {
        let mut out = Ok(());
        self.devices
            .update(|d| out = d.rename(key, name).map_err(|e| e.to_string()));
        if out.is_ok() {
            self.save();
            if self.printer.connected.with_untracked(Option::is_some) {
                let printer = self
                    .devices
                    .with_untracked(|d| d.printer().map(|p| p.name.clone()));
                self.printer.connected.set(printer);
            }
        }
        out
    }

    /// Change a serial device's baud rate: it reopens with the new setting.
    pub async fn set_baud(self, key: DeviceKey, baud: u32) -> Result<(), String> {
        let mut out = Ok(());
        self.devices.update(|d| {
            let flow = d
                .get(&key)
                .map(|x| x.serial.flow)
                .unwrap_or(device::FlowControl::None);
            out = d
                .set_serial(&key, device::SerialSettings { baud, flow })
                .map_err(|e| e.to_string());
        });
        out?;
        self.save();
        Ok(())
    }

    /// Change a serial device's flow control (applies when the port next opens).
    pub fn set_flow(&self, key: &DeviceKey, flow: device::FlowControl) -> Result<(), String> {
        let mut out = Ok(());
        self.devices.update(|d| {
            let baud = d.get(key).map(|x| x.serial.baud).unwrap_or(9600);
            out = d
                .set_serial(key, device::SerialSettings { baud, flow })
                .map_err(|e| e.to_string());
        });
        out?;
        self.save();
        Ok(())
    }

    /// Change a printer's paper, drawer pin or drawer-on-cash; the next job uses it.
    pub fn set_printer(
        &self,
        key: &DeviceKey,
        change: impl FnOnce(&mut device::PrinterSettings),
    ) -> Result<(), String> {
        let mut out = Ok(());
        self.devices.update(|d| {
            let Some(mut p) = d.get(key).map(|x| x.printer.clone()) else {
                out = Err(device::DeviceError::Unknown.to_string());
                return;
            };
            change(&mut p);
            out = d.set_printer(key, p).map_err(|e| e.to_string());
        });
        out?;
        self.save();
        Ok(())
    }

    /// A scanner's configured prefix and suffix; its next scan is read with them.
    pub fn set_affixes(&self, key: &DeviceKey, prefix: &str, suffix: &str) -> Result<(), String> {
        let a = Affixes::new(prefix, suffix).map_err(|e| e.to_string())?;
        let mut out = Ok(());
        self.devices
            .update(|d| out = d.set_affixes(key, a).map_err(|e| e.to_string()));
        out?;
        self.save();
        Ok(())
    }

    /// The keyboard-wedge settings; the next keystroke is read with them.
    pub fn set_wedge(&self, gap_ms: &str, prefix: &str, suffix: &str) -> Result<(), String> {
        let gap = gap_ms
            .trim()
            .parse::<u32>()
            .map_err(|_| tr(Text::DevGapNotWholeMs).to_string())?;
        let current = self.devices.with_untracked(|d| d.wedge.clone());
        let a = Affixes::new(prefix, suffix).map_err(|e| e.to_string())?;
        let w = WedgeSettings::new(gap, current.min_length, current.tab_ends, a)
            .map_err(|e| e.to_string())?;
        self.devices.update(|d| d.wedge = w);
        self.save();
        Ok(())
    }

    /// What a scanner sent, without the prefix and suffix it is set up with.
    fn scanner_text(&self, key: &DeviceKey, text: String) -> String {
        self.devices.with_untracked(|d| match d.get(key) {
            Some(dev) => dev.affixes.strip(&text).to_string(),
            None => text,
        })
    }

    /// The lane's receipt language, for the test page.
    pub fn test_print(&self, lang: till_core::receipt::Lang) -> Result<(), String> {
        let Some(p) = self.devices.with_untracked(|d| d.printer().cloned()) else {
            return Err(till_core::printer::PrinterProblem::NotConnected.message());
        };
        let bytes = till_core::printer::test_page(&p.name, p.printer.paper, lang);
        self.printer
            .extra("test-page", tr(Text::DevTestPageJob), bytes);
        Ok(())
    }

    /// Print a sale's receipt on the paired printer: the first print once (a cash sale's opens
    /// the drawer), or another copy. `false` when no printer is connected: the caller falls
    /// back to the browser's print.
    pub fn print_receipt(
        &self,
        store: &till_core::store::StoreSettings,
        sale: &till_core::sale::Sale,
        returned: Option<till_core::receipt::Returned<'_>>,
        copy: bool,
    ) -> bool {
        let Some(p) = self.devices.with_untracked(|d| d.printer().cloned()) else {
            return false;
        };
        if !self.printer.is_connected() {
            return false;
        }
        if till_core::printer::opens_drawer(sale, &p.printer, !copy) {
            self.printer.drawer(p.printer.drawer_pin);
        }
        let bytes = till_core::printer::receipt_job(sale, returned, store, &p.printer);
        let label = trf(Text::DevReceiptJob, &[("number", &sale.receipt_no)]);
        if copy {
            self.printer.reprint(&sale.receipt_no, &label, bytes);
        } else if let Err(e) = self.printer.print(&sale.receipt_no, &label, bytes) {
            self.notice.set(Some(e.to_string()));
        }
        true
    }

    /// Pulse the drawer through the printer.
    pub fn open_drawer(&self) -> Result<(), String> {
        let Some(p) = self.devices.with_untracked(|d| d.printer().cloned()) else {
            return Err(till_core::printer::PrinterProblem::NotConnected.message());
        };
        self.printer.drawer(p.printer.drawer_pin);
        Ok(())
    }
}

/// The devices the browser lists (in its order) with the keys `device::keys` gives them.
fn keyed<T>(all: Vec<T>, info: fn(&T) -> DeviceInfo) -> Vec<(T, DeviceKey)> {
    let keys = device::keys(&all.iter().map(info).collect::<Vec<_>>());
    all.into_iter().zip(keys).collect()
}

/// The key of `chosen` among the devices the browser lists (on its own if it is not listed).
fn key_of<T: AsRef<wasm_bindgen::JsValue>>(
    all: &[T],
    chosen: &T,
    info: fn(&T) -> DeviceInfo,
) -> DeviceKey {
    let keys = device::keys(&all.iter().map(info).collect::<Vec<_>>());
    all.iter()
        .position(|d| js_sys::Object::is(d.as_ref(), chosen.as_ref()))
        .and_then(|i| keys.get(i).cloned())
        .unwrap_or_else(|| device::keys(&[info(chosen)])[0].clone())
}

fn describe(d: &Device) -> String {
    let how = match d.info.transport {
        Transport::Serial => tr(Text::DevTransportSerial),
        // Names of the connection, the same in every language.
        Transport::Hid => "HID",
        Transport::Usb => "USB",
    };
    let what = match d.role {
        Role::Scanner => tr(Text::DevKindScanner),
        Role::Printer => tr(Text::DevKindReceiptPrinter),
        Role::PoleDisplay => tr(Text::DevKindPoleDisplay),
    };
    match &d.info.product_name {
        Some(p) => trf(
            Text::DevKindWithProduct,
            &[("how", &how), ("what", &what), ("product", p)],
        ),
        None => trf(Text::DevKind, &[("how", &how), ("what", &what)]),
    }
}

/// The device settings screen: pair, test, rename and forget each device; see the printer's
/// state and queue; open the drawer (no sale).
#[component]
pub fn DevicesPanel() -> impl IntoView {
    let hub = expect_context::<DeviceHub>();
    let till = expect_context::<crate::lane::Till>();
    let say = move |r: Result<String, DeviceApiError>| match r {
        Ok(name) => hub
            .notice
            .set(Some(trf(Text::DevIsReady, &[("name", &name)]))),
        Err(DeviceApiError::Cancelled) => hub.notice.set(None),
        Err(e) => hub.notice.set(Some(e.to_string())),
    };
    let manager_pin = RwSignal::new(String::new());
    let wedge = hub.devices.with_untracked(|d| d.wedge.clone());
    let wedge_gap = RwSignal::new(wedge.max_gap_ms.to_string());
    let wedge_prefix = RwSignal::new(wedge.affixes.prefix);
    let wedge_suffix = RwSignal::new(wedge.affixes.suffix);
    let no_sale = move |_| {
        leptos::task::spawn_local(async move {
            let pin = manager_pin.get_untracked();
            let pin = (!pin.is_empty()).then_some(pin);
            let r = match till.no_sale(pin.as_deref()).await {
                Ok(()) => hub
                    .open_drawer()
                    .map(|_| tr(Text::DevDrawerOpenedNoSale).to_string()),
                Err(e) => Err(e),
            };
            manager_pin.set(String::new());
            hub.notice.set(Some(r.unwrap_or_else(|e| e)));
        });
    };
    let lang = move || {
        till.lane
            .with_untracked(|l| match l.as_ref().map(|l| l.store.locale.as_str()) {
                Some("ja") => till_core::receipt::Lang::Ja,
                _ => till_core::receipt::Lang::En,
            })
    };
    view! {
        <div class="devices-panel panel" role="dialog" aria-label=tr(Text::DevTitle)>
            <h2>{tr(Text::DevTitle)}</h2>
            <p class="notice device-notice" role="status">{move || hub.notice.get()}</p>
            <p class="hint">{tr(Text::DevWedgeHint)}</p>
            <div class="pair-buttons">
                <button id="pair-usb-printer" on:click=move |_| leptos::task::spawn_local(async move { say(hub.pair_usb().await) })>{tr(Text::DevPairUsbPrinter)}</button>
                <button id="pair-serial-printer" on:click=move |_| leptos::task::spawn_local(async move { say(hub.pair_serial(Role::Printer).await) })>{tr(Text::DevPairSerialPrinter)}</button>
                <button id="pair-hid-scanner" on:click=move |_| leptos::task::spawn_local(async move { say(hub.pair_hid().await) })>{tr(Text::DevPairHidScanner)}</button>
                <button id="pair-serial-scanner" on:click=move |_| leptos::task::spawn_local(async move { say(hub.pair_serial(Role::Scanner).await) })>{tr(Text::DevPairSerialScanner)}</button>
                <button id="pair-pole-display" on:click=move |_| leptos::task::spawn_local(async move { say(hub.pair_serial(Role::PoleDisplay).await) })>{tr(Text::DevPairPoleDisplay)}</button>
            </div>
            <ul class="device-list" aria-label=tr(Text::DevPairedDevices)>
                <For each=move || hub.devices.get().list key=|d| (d.key.clone(), d.name.clone(), d.serial.baud) children=move |d| {
                    let key = d.key.clone();
                    let live = {
                        let key = key.clone();
                        move || hub.live.with(|l| l.contains(&key))
                    };
                    let is_printer = d.role == Role::Printer;
                    let is_scanner = d.role == Role::Scanner;
                    let is_serial = d.info.transport == Transport::Serial;
                    let flow = d.serial.flow;
                    let printer = d.printer.clone();
                    let affixes = d.affixes.clone();
                    let (k1, k3) = (key.clone(), key.clone());
                    // Copy, so each setting's handler (inside a `Show`) can take its own key.
                    let ks = StoredValue::new(key.clone());
                    let name = d.name.clone();
                    let baud = d.serial.baud;
                    view! {
                        <li class="device" data-key=key.0.clone()>
                            <input class="device-name" aria-label=trf(Text::DevNameOf, &[("name", &d.name)]) prop:value=name
                                on:change=move |ev| if let Err(e) = hub.rename(&k1, &event_target_value(&ev)) { hub.notice.set(Some(e)) }/>
                            <span class="kind">{describe(&d)}</span>
                            <span class="state">{move || if live() { tr(Text::DevConnected) } else { tr(Text::DevNotConnected) }}</span>
                            <Show when=move || is_serial>
                                <select class="baud" aria-label=tr(Text::DevBaudRate) on:change={
                                    let k = ks.get_value();
                                    move |ev| {
                                        let k = k.clone();
                                        let v = event_target_value(&ev).parse().unwrap_or(9600);
                                        leptos::task::spawn_local(async move {
                                            match hub.set_baud(k, v).await {
                                                Ok(()) => hub.notice.set(Some(tr(Text::DevSavedBaud).into())),
                                                Err(e) => hub.notice.set(Some(e)),
                                            }
                                        });
                                    }
                                }>
                                    {till_core::device::BAUD_RATES.map(|b| view! { <option value=b.to_string() selected=b == baud>{b.to_string()}</option> })}
                                </select>
                            </Show>
                            <Show when=move || is_serial>
                                <select class="flow" aria-label=tr(Text::DevFlowControl) on:change={
                                    let k = ks.get_value();
                                    move |ev| {
                                        let flow = if event_target_value(&ev) == "hardware" { device::FlowControl::Hardware } else { device::FlowControl::None };
                                        hub.notice.set(Some(hub.set_flow(&k, flow).map(|_| tr(Text::DevSavedFlow).to_string()).unwrap_or_else(|e| e)));
                                    }
                                }>
                                    <option value="none" selected=flow == device::FlowControl::None>{tr(Text::DevNoFlowControl)}</option>
                                    <option value="hardware" selected=flow == device::FlowControl::Hardware>{tr(Text::DevFlowHardware)}</option>
                                </select>
                            </Show>
                            <Show when=move || is_scanner>
                                <input class="prefix" aria-label=tr(Text::DevScannerPrefix) placeholder=tr(Text::DevPrefix) maxlength="16" prop:value=affixes.prefix.clone()
                                    on:change={ let k = ks.get_value(); move |ev| {
                                        let prefix = event_target_value(&ev);
                                        let suffix = hub.devices.with_untracked(|d| d.get(&k).map(|d| d.affixes.suffix.clone()).unwrap_or_default());
                                        hub.notice.set(Some(hub.set_affixes(&k, &prefix, &suffix).map(|_| tr(Text::DevSaved).to_string()).unwrap_or_else(|e| e)));
                                    } }/>
                                <input class="suffix" aria-label=tr(Text::DevScannerSuffix) placeholder=tr(Text::DevSuffix) maxlength="16" prop:value=affixes.suffix.clone()
                                    on:change={ let k = ks.get_value(); move |ev| {
                                        let suffix = event_target_value(&ev);
                                        let prefix = hub.devices.with_untracked(|d| d.get(&k).map(|d| d.affixes.prefix.clone()).unwrap_or_default());
                                        hub.notice.set(Some(hub.set_affixes(&k, &prefix, &suffix).map(|_| tr(Text::DevSaved).to_string()).unwrap_or_else(|e| e)));
                                    } }/>
                            </Show>
                            <Show when=move || is_printer>
                                <select class="paper" aria-label=tr(Text::DevPaper) on:change={ let k = ks.get_value(); move |ev| {
                                    let paper = match event_target_value(&ev).as_str() { "mm58" => PaperWidth::Mm58, "mm80" => PaperWidth::Mm80, _ => PaperWidth::Mm80Narrow };
                                    hub.notice.set(Some(hub.set_printer(&k, |p| p.paper = paper).map(|_| tr(Text::DevSaved).to_string()).unwrap_or_else(|e| e)));
                                } }>
                                    <option value="mm80narrow" selected=printer.paper == PaperWidth::Mm80Narrow>{trf(Text::DevPaperWidth, &[("mm", &80), ("columns", &42)])}</option>
                                    <option value="mm80" selected=printer.paper == PaperWidth::Mm80>{trf(Text::DevPaperWidth, &[("mm", &80), ("columns", &48)])}</option>
                                    <option value="mm58" selected=printer.paper == PaperWidth::Mm58>{trf(Text::DevPaperWidth, &[("mm", &58), ("columns", &32)])}</option>
                                </select>
                                <select class="drawer-pin" aria-label=tr(Text::DevDrawerPin) on:change={ let k = ks.get_value(); move |ev| {
                                    let pin = if event_target_value(&ev) == "5" { DrawerPin::Pin5 } else { DrawerPin::Pin2 };
                                    hub.notice.set(Some(hub.set_printer(&k, |p| p.drawer_pin = pin).map(|_| tr(Text::DevSaved).to_string()).unwrap_or_else(|e| e)));
                                } }>
                                    <option value="2" selected=printer.drawer_pin == DrawerPin::Pin2>{trf(Text::DevDrawerOnPin, &[("pin", &2)])}</option>
                                    <option value="5" selected=printer.drawer_pin == DrawerPin::Pin5>{trf(Text::DevDrawerOnPin, &[("pin", &5)])}</option>
                                </select>
                                <label class="drawer-on-cash">
                                    <input type="checkbox" prop:checked=printer.drawer_on_cash on:change={ let k = ks.get_value(); move |ev| {
                                        let on = event_target_checked(&ev);
                                        hub.notice.set(Some(hub.set_printer(&k, |p| p.drawer_on_cash = on).map(|_| tr(Text::DevSaved).to_string()).unwrap_or_else(|e| e)));
                                    } }/>
                                    " " {tr(Text::DevDrawerOnCash)}
                                </label>
                                <button class="test-print" on:click=move |_| hub.notice.set(Some(hub.test_print(lang()).map(|_| tr(Text::DevTestPageSent).to_string()).unwrap_or_else(|e| e)))>{tr(Text::DevTestPrint)}</button>
                            </Show>
                            <button class="forget" on:click={
                                let k = k3.clone();
                                move |_| {
                                    let k = k.clone();
                                    leptos::task::spawn_local(async move {
                                        if let Err(e) = hub.forget(k).await {
                                            hub.notice.set(Some(e.to_string()));
                                        }
                                    });
                                }
                            }>{tr(Text::DevForget)}</button>
                        </li>
                    }
                }/>
            </ul>
            <section class="wedge" aria-label=tr(Text::DevKeyboardScanners)>
                <label>{tr(Text::DevWedgeGap)} " "
                    <input id="wedge-gap" type="number" min="10" max="200" prop:value=move || wedge_gap.get() on:input=move |ev| wedge_gap.set(event_target_value(&ev))/></label>
                <input id="wedge-prefix" aria-label=tr(Text::DevWedgePrefix) placeholder=tr(Text::DevPrefix) maxlength="16" prop:value=move || wedge_prefix.get() on:input=move |ev| wedge_prefix.set(event_target_value(&ev))/>
                <input id="wedge-suffix" aria-label=tr(Text::DevWedgeSuffix) placeholder=tr(Text::DevSuffix) maxlength="16" prop:value=move || wedge_suffix.get() on:input=move |ev| wedge_suffix.set(event_target_value(&ev))/>
                <button id="wedge-save" on:click=move |_| hub.notice.set(Some(hub.set_wedge(&wedge_gap.get_untracked(), &wedge_prefix.get_untracked(), &wedge_suffix.get_untracked()).map(|_| tr(Text::DevSavedWedge).to_string()).unwrap_or_else(|e| e)))>{tr(Text::Save)}</button>
            </section>
            <section class="drawer" aria-label=tr(Text::DevCashDrawer)>
                <Show when=move || till.needs_approval(till_core::staff::Action::NoSale)>
                    <input id="no-sale-pin" type="password" inputmode="numeric" autocomplete="off" placeholder=tr(Text::ManagerPin)
                        aria-label=tr(Text::DevManagerPinForDrawer) prop:value=move || manager_pin.get()
                        on:input=move |ev| manager_pin.set(event_target_value(&ev))/>
                </Show>
                <button id="no-sale" on:click=no_sale>{tr(Text::DevOpenDrawerNoSale)}</button>
            </section>
            <PrintQueueView/>
            <button class="close" on:click=move |_| hub.panel.set(false)>{tr(Text::Close)} " " <kbd>"Esc"</kbd></button>
        </div>
    }
}

/// The printer's state and its queue; what to do about a job that may or may not have printed.
#[component]
pub fn PrintQueueView() -> impl IntoView {
    let hub = expect_context::<DeviceHub>();
    let p = hub.printer;
    view! {
        <section class="print-queue" aria-label=tr(Text::DevReceiptPrinter)>
            <p class="printer-state">{move || match p.connected.get() {
                Some(name) => trf(Text::DevPrinterName, &[("name", &name)]),
                None => tr(Text::DevNoPrinter).into(),
            }}</p>
            <Show when=move || p.problem().is_some()>
                <p class="printer-problem" role="alert">{move || p.problem()}</p>
            </Show>
            <ul class="jobs" aria-label=tr(Text::DevPrintQueue)>
                <For each=move || p.queue.with(|q| q.jobs().cloned().collect::<Vec<_>>()) key=|j| (j.id.clone(), format!("{:?}", j.state)) children=move |j| {
                    let unsure = matches!(j.state, till_core::printer::JobState::Unsure(_));
                    // A job not yet on the printer can be dropped (the customer left without it).
                    let droppable = matches!(j.state, till_core::printer::JobState::Waiting | till_core::printer::JobState::Held(_));
                    let (a, b, c) = (j.id.clone(), j.id.clone(), j.id.clone());
                    let state = match &j.state {
                        till_core::printer::JobState::Waiting => tr(Text::DevJobWaiting),
                        till_core::printer::JobState::Printing => tr(Text::DevJobPrinting),
                        till_core::printer::JobState::Held(_) => tr(Text::DevJobHeld),
                        till_core::printer::JobState::Unsure(_) => tr(Text::DevJobUnsure),
                    };
                    view! {
                        <li class="job">{j.label.clone()} " · " {state}
                            <Show when=move || unsure>
                                <button class="it-printed" on:click={ let a = a.clone(); move |_| p.resolve(&a, true) }>{tr(Text::DevItPrinted)}</button>
                                <button class="print-again" on:click={ let b = b.clone(); move |_| p.resolve(&b, false) }>{tr(Text::DevPrintAgain)}</button>
                            </Show>
                            <Show when=move || droppable>
                                <button class="drop-job" on:click={ let c = c.clone(); move |_| p.cancel(&c) }>{tr(Text::DevDontPrint)}</button>
                            </Show>
                        </li>
                    }
                }/>
            </ul>
        </section>
    }
}
