//! The devices a lane has paired, and how to tell two identical ones apart.
//!
//! The browser gives a paired device back on every load (`getPorts`/`getDevices`) but not a
//! name or a stable id: a USB device has a serial number only if its maker gave it one, and a
//! serial port says no more than its USB vendor and product. So a device is known by what it
//! reports — transport, vendor, product, serial number — and, where two report the same, by its
//! place among them in the browser's list. The shop names each one ("Front printer").

use crate::escpos::{DrawerPin, PaperWidth};
use crate::scanner::WedgeSettings;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    Serial,
    Hid,
    Usb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Scanner,
    Printer,
    /// A 2×20 pole display on a serial port.
    PoleDisplay,
}

/// What a device says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub transport: Transport,
    #[serde(default)]
    pub vendor_id: Option<u16>,
    #[serde(default)]
    pub product_id: Option<u16>,
    #[serde(default)]
    pub serial_number: Option<String>,
    /// The maker's product name, if the transport gives one.
    #[serde(default)]
    pub product_name: Option<String>,
}

/// A device's identity across reloads: stable as long as the same devices stay plugged in the
/// same way; `ordinal` is 0 unless another device reports exactly the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceKey(pub String);

impl DeviceInfo {
    fn base_key(&self) -> String {
        let t = match self.transport {
            Transport::Serial => "serial",
            Transport::Hid => "hid",
            Transport::Usb => "usb",
        };
        let id = |v: Option<u16>| v.map(|v| format!("{v:04x}")).unwrap_or_else(|| "-".into());
        let mut key = format!("{t}:{}:{}", id(self.vendor_id), id(self.product_id));
        if let Some(sn) = self
            .serial_number
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            key.push(':');
            key.push_str(sn.trim());
        }
        key
    }
}

/// Keys for the devices the browser lists, in its order: the n-th of several identical devices
/// gets "#n" (counting from 2), so the first keeps its key when a twin is plugged in later.
pub fn keys(devices: &[DeviceInfo]) -> Vec<DeviceKey> {
    let mut seen: std::collections::HashMap<String, u32> = Default::default();
    devices
        .iter()
        .map(|d| {
            let base = d.base_key();
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                DeviceKey(base)
            } else {
                DeviceKey(format!("{base}#{n}"))
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowControl {
    None,
    Hardware,
}

/// How to open a serial port. Thermal printers mostly ship at 9600 or 38400 baud, 8N1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerialSettings {
    pub baud: u32,
    pub flow: FlowControl,
}

impl Default for SerialSettings {
    fn default() -> Self {
        SerialSettings {
            baud: 9600,
            flow: FlowControl::None,
        }
    }
}

/// The baud rates a settings screen offers.
pub const BAUD_RATES: [u32; 6] = [9600, 19200, 38400, 57600, 115200, 4800];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterSettings {
    pub paper: PaperWidth,
    /// Which connector pin kicks the drawer.
    pub drawer_pin: DrawerPin,
    /// Open the drawer with every cash sale's receipt.
    pub drawer_on_cash: bool,
}

impl Default for PrinterSettings {
    fn default() -> Self {
        PrinterSettings {
            paper: PaperWidth::Mm80Narrow,
            drawer_pin: DrawerPin::Pin2,
            drawer_on_cash: true,
        }
    }
}

/// One paired device and everything the shop set for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub key: DeviceKey,
    pub info: DeviceInfo,
    pub role: Role,
    pub name: String,
    #[serde(default)]
    pub serial: SerialSettings,
    #[serde(default)]
    pub printer: PrinterSettings,
    /// A scanner's configured prefix and suffix.
    #[serde(default)]
    pub affixes: crate::scanner::Affixes,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeviceError {
    #[error("a device needs a name")]
    NoName,
    #[error("another device is already called “{0}”")]
    NameTaken(String),
    #[error("that device is not paired")]
    Unknown,
    #[error("a baud rate of {0} is not one a printer or scanner uses")]
    Baud(u32),
    #[error("only a scanner has a prefix and suffix")]
    NotAScanner,
}

/// The lane's paired devices (kept on the device: pairing is a browser permission, so it never
/// syncs to other lanes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Devices {
    pub list: Vec<Device>,
    /// Keyboard-wedge timing for this lane's keyboard scanners.
    #[serde(default)]
    pub wedge: WedgeSettings,
}

impl Devices {
    pub fn get(&self, key: &DeviceKey) -> Option<&Device> {
        self.list.iter().find(|d| &d.key == key)
    }

    /// The receipt printer: the first paired one.
    pub fn printer(&self) -> Option<&Device> {
        self.list.iter().find(|d| d.role == Role::Printer)
    }

    /// Remember a newly paired device under a default name ("Printer", "Printer 2" …). Pairing a
    /// device again keeps its name and settings and takes the new role.
    pub fn pair(&mut self, key: DeviceKey, info: DeviceInfo, role: Role) -> &Device {
        if let Some(i) = self.list.iter().position(|d| d.key == key) {
            self.list[i].role = role;
            self.list[i].info = info;
            return &self.list[i];
        }
        let word = match role {
            Role::Scanner => "Scanner",
            Role::Printer => "Printer",
            Role::PoleDisplay => "Pole display",
        };
        let mut n = 1;
        let name = loop {
            let candidate = if n == 1 {
                word.to_string()
            } else {
                format!("{word} {n}")
            };
            if self.list.iter().all(|d| d.name != candidate) {
                break candidate;
            }
            n += 1;
        };
        self.list.push(Device {
            key,
            info,
            role,
            name,
            serial: SerialSettings::default(),
            printer: PrinterSettings::default(),
            affixes: crate::scanner::Affixes::default(),
        });
        let last = self.list.len() - 1;
        &self.list[last]
    }

    pub fn rename(&mut self, key: &DeviceKey, name: &str) -> Result<(), DeviceError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DeviceError::NoName);
        }
        if self.list.iter().any(|d| &d.key != key && d.name == name) {
            return Err(DeviceError::NameTaken(name.to_string()));
        }
        let d = self
            .list
            .iter_mut()
            .find(|d| &d.key == key)
            .ok_or(DeviceError::Unknown)?;
        d.name = name.to_string();
        Ok(())
    }

    pub fn set_serial(&mut self, key: &DeviceKey, s: SerialSettings) -> Result<(), DeviceError> {
        if !(300..=921_600).contains(&s.baud) {
            return Err(DeviceError::Baud(s.baud));
        }
        let d = self
            .list
            .iter_mut()
            .find(|d| &d.key == key)
            .ok_or(DeviceError::Unknown)?;
        d.serial = s;
        Ok(())
    }

    pub fn set_printer(&mut self, key: &DeviceKey, p: PrinterSettings) -> Result<(), DeviceError> {
        let d = self
            .list
            .iter_mut()
            .find(|d| &d.key == key)
            .ok_or(DeviceError::Unknown)?;
        d.printer = p;
        Ok(())
    }

    /// A scanner's prefix and suffix (checked by `Affixes::new`).
    pub fn set_affixes(
        &mut self,
        key: &DeviceKey,
        a: crate::scanner::Affixes,
    ) -> Result<(), DeviceError> {
        let d = self
            .list
            .iter_mut()
            .find(|d| &d.key == key)
            .ok_or(DeviceError::Unknown)?;
        if d.role != Role::Scanner {
            return Err(DeviceError::NotAScanner);
        }
        d.affixes = a;
        Ok(())
    }

    pub fn forget(&mut self, key: &DeviceKey) -> Result<Device, DeviceError> {
        let i = self
            .list
            .iter()
            .position(|d| &d.key == key)
            .ok_or(DeviceError::Unknown)?;
        Ok(self.list.remove(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usb(serial: Option<&str>) -> DeviceInfo {
        DeviceInfo {
            transport: Transport::Usb,
            vendor_id: Some(0x04b8),
            product_id: Some(0x0202),
            serial_number: serial.map(String::from),
            product_name: Some("TM-T20".into()),
        }
    }

    #[test]
    fn twins_are_told_apart_by_serial_number_or_order() {
        let ks = keys(&[usb(Some("X1")), usb(Some("X2"))]);
        assert_eq!(ks[0].0, "usb:04b8:0202:X1");
        assert_eq!(ks[1].0, "usb:04b8:0202:X2");
        let ks = keys(&[usb(None), usb(None), usb(Some(" "))]);
        assert_eq!(
            ks.iter().map(|k| k.0.as_str()).collect::<Vec<_>>(),
            ["usb:04b8:0202", "usb:04b8:0202#2", "usb:04b8:0202#3"]
        );
        let bt = DeviceInfo {
            transport: Transport::Serial,
            vendor_id: None,
            product_id: None,
            serial_number: None,
            product_name: None,
        };
        assert_eq!(keys(&[bt])[0].0, "serial:-:-");
    }

    #[test]
    fn pairing_names_renaming_and_forgetting() {
        let mut d = Devices::default();
        let ks = keys(&[usb(None), usb(None)]);
        assert_eq!(
            d.pair(ks[0].clone(), usb(None), Role::Printer).name,
            "Printer"
        );
        assert_eq!(
            d.pair(ks[1].clone(), usb(None), Role::Printer).name,
            "Printer 2"
        );
        assert_eq!(
            d.rename(&ks[1], "Printer"),
            Err(DeviceError::NameTaken("Printer".into()))
        );
        assert_eq!(d.rename(&ks[1], "  "), Err(DeviceError::NoName));
        d.rename(&ks[1], "Back office").unwrap();
        // Pairing again keeps the name.
        assert_eq!(
            d.pair(ks[1].clone(), usb(None), Role::Printer).name,
            "Back office"
        );
        assert_eq!(d.printer().unwrap().key, ks[0]);
        assert_eq!(
            d.set_serial(
                &ks[0],
                SerialSettings {
                    baud: 12,
                    flow: FlowControl::None
                }
            ),
            Err(DeviceError::Baud(12))
        );
        let star = crate::scanner::Affixes::new("*", "").unwrap();
        assert_eq!(
            d.set_affixes(&ks[0], star.clone()),
            Err(DeviceError::NotAScanner)
        );
        d.pair(ks[0].clone(), usb(None), Role::Scanner);
        d.set_affixes(&ks[0], star.clone()).unwrap();
        assert_eq!(d.get(&ks[0]).unwrap().affixes, star);
        d.pair(ks[0].clone(), usb(None), Role::Printer);
        d.forget(&ks[0]).unwrap();
        assert_eq!(d.printer().unwrap().name, "Back office");
        assert_eq!(d.forget(&ks[0]), Err(DeviceError::Unknown));
        // The whole list survives a round trip through storage.
        let back: Devices = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }
}
