//! The receipt printer driver: core's print queue over a WebSerial or WebUSB link. Before each
//! job it asks the printer how it is (DLE EOT); a problem holds the queue and is shown with the
//! next step, and the job goes by itself once the printer is ready again. The queue is saved
//! after every change, so a reload never forgets a job nor prints one twice.

use crate::serial::SerialLink;
use crate::usb::UsbLink;
use crate::webdev::DeviceApiError;
use leptos::prelude::*;
use till_core::escpos::{status_request, PrinterStatus, StatusRequest};
use till_core::printer::{PrintError, PrintQueue, PrinterProblem};

const QUEUE_KEY: &str = "print_queue";

/// How the bytes reach the printer.
#[derive(Clone)]
pub enum Link {
    Serial(SerialLink),
    Usb(UsbLink),
}

impl Link {
    async fn write(&self, bytes: &[u8]) -> Result<(), DeviceApiError> {
        match self {
            Link::Serial(l) => l.write(bytes).await,
            Link::Usb(l) => l.write(bytes).await,
        }
    }

    fn clear(&self) {
        match self {
            Link::Serial(l) => l.clear(),
            Link::Usb(l) => l.clear(),
        }
    }

    async fn read_byte(&self, ms: u32) -> Option<u8> {
        match self {
            Link::Serial(l) => l.read_byte(ms).await,
            Link::Usb(l) => l.read_byte(ms).await,
        }
    }

    fn can_answer(&self) -> bool {
        match self {
            Link::Serial(_) => true,
            Link::Usb(l) => l.two_way(),
        }
    }

    pub async fn close(&self) {
        match self {
            Link::Serial(l) => l.close().await,
            Link::Usb(l) => l.close().await,
        }
    }
}

/// The printer's answer to all four status requests. `Ok(None)`: this printer never answers
/// (a one-way link, or a model without status), so the queue prints without asking.
async fn ask_status(link: &Link, answers: bool) -> Result<Option<PrinterStatus>, PrinterProblem> {
    if !link.can_answer() {
        return Ok(None);
    }
    let mut status = PrinterStatus::default();
    for req in [
        StatusRequest::Printer,
        StatusRequest::OfflineCause,
        StatusRequest::ErrorCause,
        StatusRequest::PaperSensor,
    ] {
        link.clear();
        link.write(&status_request(req))
            .await
            .map_err(|e| PrinterProblem::Transport(e.to_string()))?;
        // An answer takes a few milliseconds; some other byte (an automatic status report)
        // may come first, so read a few.
        let mut got = false;
        for _ in 0..4 {
            match link.read_byte(400).await {
                Some(b) if status.apply(req, b).is_ok() => {
                    got = true;
                    break;
                }
                Some(_) => continue,
                None => break,
            }
        }
        if !got {
            return if answers {
                Err(PrinterProblem::NoAnswer)
            } else {
                Ok(None)
            };
        }
    }
    Ok(Some(status))
}

/// The printer, its queue and its state, for the sell screen and the device screen.
#[derive(Clone, Copy)]
pub struct PrinterDriver {
    pub queue: RwSignal<PrintQueue>,
    /// The name of the connected printer, `None` when there is none.
    pub connected: RwSignal<Option<String>>,
    link: StoredValue<Option<Link>, LocalStorage>,
    /// The printer has answered a status request since it connected.
    answers: StoredValue<bool>,
    pumping: StoredValue<bool>,
}

impl PrinterDriver {
    pub fn new() -> PrinterDriver {
        let d = PrinterDriver {
            queue: RwSignal::new(PrintQueue::new()),
            connected: RwSignal::new(None),
            link: StoredValue::new_local(None),
            answers: StoredValue::new(false),
            pumping: StoredValue::new(false),
        };
        leptos::task::spawn_local(async move {
            if let Ok(Some(mut q)) = crate::idb::get::<PrintQueue>(QUEUE_KEY).await {
                // Whatever was being sent when the page went away may have printed.
                q.interrupted();
                d.queue.set(q);
            }
        });
        d
    }

    pub fn is_connected(&self) -> bool {
        self.link.with_value(Option::is_some)
    }

    pub fn attach(&self, name: String, link: Link) {
        self.link.set_value(Some(link));
        self.answers.set_value(false);
        self.connected.set(Some(name));
        self.kick();
    }

    pub async fn detach(&self) {
        let link = self.link.try_update_value(Option::take).flatten();
        if let Some(l) = link {
            l.close().await;
        }
        self.connected.set(None);
    }

    fn save(&self) {
        let q = self.queue.get_untracked();
        leptos::task::spawn_local(async move {
            let _ = crate::idb::put(QUEUE_KEY, &q).await;
        });
    }

    /// Queue the first print of `id` (a receipt number); refused if it already printed.
    pub fn print(&self, id: &str, label: &str, bytes: Vec<u8>) -> Result<(), PrintError> {
        let mut out = Ok(());
        self.queue.update(|q| out = q.add(id, label, bytes));
        self.save();
        self.kick();
        out
    }

    /// Queue another copy on purpose.
    pub fn reprint(&self, id: &str, label: &str, bytes: Vec<u8>) {
        self.queue.update(|q| {
            q.reprint(id, label, bytes);
        });
        self.save();
        self.kick();
    }

    /// Queue a job that may go any number of times (test page, drawer pulse).
    /// Open the drawer, ahead of anything waiting to print.
    pub fn drawer(&self, pin: till_core::escpos::DrawerPin) {
        self.queue.update(|q| {
            q.drawer(pin);
        });
        self.save();
        self.kick();
    }

    pub fn extra(&self, kind: &str, label: &str, bytes: Vec<u8>) {
        self.queue.update(|q| {
            q.extra(kind, label, bytes);
        });
        self.save();
        self.kick();
    }

    /// The cashier looked at the paper: it printed, or send it again.
    pub fn resolve(&self, id: &str, printed: bool) {
        self.queue.update(|q| {
            let _ = q.resolve(id, printed);
        });
        self.save();
        self.kick();
    }

    pub fn cancel(&self, id: &str) {
        self.queue.update(|q| {
            let _ = q.cancel(id);
        });
        self.save();
    }

    /// The current problem in a cashier's words, with the next step.
    pub fn problem(&self) -> Option<String> {
        self.queue
            .with(|q| q.problem().map(PrinterProblem::message))
    }

    /// Work through the queue (one worker at a time).
    pub fn kick(&self) {
        if self.pumping.get_value() {
            return;
        }
        self.pumping.set_value(true);
        let d = *self;
        leptos::task::spawn_local(async move {
            d.pump().await;
            d.pumping.set_value(false);
        });
    }

    async fn pump(self) {
        loop {
            let Some(link) = self.link.get_value() else {
                return;
            };
            let Some(job) = self.queue.try_update(|q| q.start()).flatten() else {
                // A held queue: look again shortly, and go once the printer is ready.
                if self.queue.with_untracked(|q| q.problem().is_some()) && self.held_only() {
                    crate::lane::sleep_ms(1000).await;
                    if let Ok(s) = ask_status(&link, self.answers.get_value()).await {
                        if s.is_some() {
                            self.answers.set_value(true);
                        }
                        if s.as_ref().and_then(PrinterProblem::from_status).is_none() {
                            self.queue.update(PrintQueue::ready);
                            self.save();
                        }
                    }
                    continue;
                }
                return;
            };
            let before = ask_status(&link, self.answers.get_value()).await;
            let problem = match before {
                Ok(Some(s)) => {
                    self.answers.set_value(true);
                    PrinterProblem::from_status(&s)
                }
                Ok(None) => None,
                Err(p) => Some(p),
            };
            let bytes = match (problem, job.drawer) {
                (None, _) => job.bytes.clone(),
                // The drawer opens for change even while the receipt waits for paper.
                (Some(p), Some(pin)) if p.drawer_still_opens() => {
                    till_core::printer::drawer_pulse_now(pin)
                }
                (Some(p), _) => {
                    self.queue.update(|q| {
                        let _ = q.held(&job.id, p);
                    });
                    self.save();
                    continue;
                }
            };
            let sent = link.write(&bytes).await;
            self.queue.update(|q| {
                let _ = match sent {
                    Ok(()) => q.printed(&job.id),
                    Err(e) => q.unsure(&job.id, PrinterProblem::Transport(e.to_string())),
                };
            });
            self.save();
        }
    }

    /// Every job waiting is held by the printer (none waits on the cashier).
    fn held_only(&self) -> bool {
        self.queue.with_untracked(|q| {
            q.jobs()
                .next()
                .is_some_and(|j| matches!(j.state, till_core::printer::JobState::Held(_)))
        })
    }
}
