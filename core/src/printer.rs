//! The receipt printer's queue, and what the printer's status means to a cashier.
//!
//! The queue is a state machine with no I/O: the app's printer driver asks it for the next job,
//! writes the bytes, and reports back. Its rule: a receipt prints once unless someone asks for
//! another copy. So a job is retried automatically only when the printer refused it *before* any
//! byte was sent (paper out, cover open, offline); a write that failed part-way may have printed,
//! and only the cashier, who can see the paper, decides whether it goes again.

use crate::device::PrinterSettings;
use crate::escpos::Font;
use crate::escpos::{Align, CodePage, Cut, DrawerPin, Escpos, PaperWidth, PrinterStatus};
use crate::receipt::{self, Lang, ReceiptOptions};
use crate::sale::{Sale, Tender};
use crate::store::StoreSettings;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use thiserror::Error;

/// Why the printer cannot print now, each with the cashier's next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrinterProblem {
    NotConnected,
    /// The printer did not answer a status request: switched off or unplugged.
    NoAnswer,
    Offline,
    CoverOpen,
    PaperOut,
    /// Cutter jam or another error the printer reports.
    Error,
    /// The browser could not write to the device (its message).
    Transport(String),
}

impl PrinterProblem {
    /// The problem the printer's own status shows, most actionable first.
    pub fn from_status(s: &PrinterStatus) -> Option<PrinterProblem> {
        let yes = |b: Option<bool>| b == Some(true);
        if yes(s.paper_out) || yes(s.stopped_by_paper_end) {
            Some(PrinterProblem::PaperOut)
        } else if yes(s.cover_open) {
            Some(PrinterProblem::CoverOpen)
        } else if yes(s.autocutter_error) || yes(s.unrecoverable_error) || yes(s.error) {
            Some(PrinterProblem::Error)
        } else if yes(s.offline) {
            Some(PrinterProblem::Offline)
        } else {
            None
        }
    }

    /// In words a cashier understands, with what to do next.
    pub fn message(&self) -> String {
        match self {
            PrinterProblem::NotConnected => {
                "No receipt printer is connected — pair one under Devices, or use Browser print"
                    .into()
            }
            PrinterProblem::NoAnswer => {
                "The printer does not answer — check it is switched on and its cable is in".into()
            }
            PrinterProblem::Offline => {
                "The printer is offline — check its lights, then it prints by itself".into()
            }
            PrinterProblem::CoverOpen => {
                "Printer cover open — close it and the receipt prints".into()
            }
            PrinterProblem::PaperOut => {
                "Printer out of paper — reload paper and the receipt prints".into()
            }
            PrinterProblem::Error => {
                "The printer reports an error (cutter or jam) — switch it off and on".into()
            }
            PrinterProblem::Transport(e) => {
                format!("The printer could not be reached ({e}) — check the cable, then Retry")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    Waiting,
    Printing,
    /// The printer refused it before any byte was sent: it goes as soon as the problem clears.
    Held(PrinterProblem),
    /// The write failed part-way: it may have printed. The cashier looks and says.
    Unsure(PrinterProblem),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintJob {
    /// Unique per printed copy: the receipt number, plus "#copy-N" for a reprint.
    pub id: String,
    /// What the cashier sees in the queue ("Receipt 0001-000123").
    pub label: String,
    pub bytes: Vec<u8>,
    pub state: JobState,
    pub attempts: u32,
    /// A drawer kick rather than paper: it goes ahead of receipts, and goes even with the
    /// paper out (the cashier needs the drawer for change while the receipt waits).
    #[serde(default)]
    pub drawer: Option<DrawerPin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PrintError {
    #[error("{0} has already printed: use Reprint for another copy")]
    AlreadyPrinted(String),
    #[error("{0} is already waiting to print")]
    AlreadyQueued(String),
    #[error("no print job {0}")]
    NoSuchJob(String),
}

/// How many printed job ids the queue remembers to refuse an accidental second print.
const REMEMBERED: usize = 500;

/// Jobs print in order: a held job holds those behind it, so receipts never come out shuffled.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PrintQueue {
    jobs: VecDeque<PrintJob>,
    printed: VecDeque<String>,
    copies: u32,
}

impl PrintQueue {
    pub fn new() -> PrintQueue {
        PrintQueue::default()
    }

    pub fn jobs(&self) -> impl Iterator<Item = &PrintJob> {
        self.jobs.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    pub fn was_printed(&self, id: &str) -> bool {
        self.printed.iter().any(|p| p == id)
    }

    /// Queue the first print of something. Printing the same id again is refused: an accidental
    /// double tap or a retried payment never gives the customer two receipts.
    pub fn add(&mut self, id: &str, label: &str, bytes: Vec<u8>) -> Result<(), PrintError> {
        if self.was_printed(id) {
            return Err(PrintError::AlreadyPrinted(label.to_string()));
        }
        if self.jobs.iter().any(|j| j.id == id) {
            return Err(PrintError::AlreadyQueued(label.to_string()));
        }
        self.jobs.push_back(PrintJob {
            id: id.to_string(),
            label: label.to_string(),
            bytes,
            state: JobState::Waiting,
            attempts: 0,
            drawer: None,
        });
        Ok(())
    }

    /// Queue another copy on purpose (Reprint). Returns the copy's job id.
    pub fn reprint(&mut self, id: &str, label: &str, bytes: Vec<u8>) -> String {
        self.extra(id, &format!("{label} (copy)"), bytes)
    }

    /// Queue a job that may go any number of times (a test page, a drawer pulse): each call is
    /// its own job. Returns its id.
    pub fn extra(&mut self, kind: &str, label: &str, bytes: Vec<u8>) -> String {
        self.copies += 1;
        let id = format!("{kind}#copy-{}", self.copies);
        self.jobs.push_back(PrintJob {
            id: id.clone(),
            label: label.to_string(),
            bytes,
            state: JobState::Waiting,
            attempts: 0,
            drawer: None,
        });
        id
    }

    /// The job to send now, marked Printing; `None` while one is printing or the first job
    /// waits on a problem or on the cashier.
    pub fn start(&mut self) -> Option<PrintJob> {
        let head = self.jobs.front_mut()?;
        if head.state != JobState::Waiting {
            return None;
        }
        head.state = JobState::Printing;
        head.attempts += 1;
        Some(head.clone())
    }

    /// The current problem holding the queue, if any.
    pub fn problem(&self) -> Option<&PrinterProblem> {
        match &self.jobs.front()?.state {
            JobState::Held(p) | JobState::Unsure(p) => Some(p),
            JobState::Waiting | JobState::Printing => None,
        }
    }

    fn printing(&mut self, id: &str) -> Result<usize, PrintError> {
        self.jobs
            .iter()
            .position(|j| j.id == id && j.state == JobState::Printing)
            .ok_or_else(|| PrintError::NoSuchJob(id.to_string()))
    }

    fn remember(&mut self, id: String) {
        self.printed.push_back(id);
        while self.printed.len() > REMEMBERED {
            self.printed.pop_front();
        }
    }

    /// Every byte went out and the printer was fine afterwards.
    pub fn printed(&mut self, id: &str) -> Result<(), PrintError> {
        let i = self.printing(id)?;
        if let Some(job) = self.jobs.remove(i) {
            self.remember(job.id);
        }
        Ok(())
    }

    /// Open the drawer: a job ahead of every waiting or held one (behind one already being
    /// written). Returns its id.
    pub fn drawer(&mut self, pin: DrawerPin) -> String {
        self.copies += 1;
        let id = format!("drawer#{}", self.copies);
        let at = usize::from(
            self.jobs
                .front()
                .is_some_and(|j| j.state == JobState::Printing),
        );
        self.jobs.insert(
            at,
            PrintJob {
                id: id.clone(),
                label: "Open drawer".into(),
                bytes: drawer_pulse(pin),
                state: JobState::Waiting,
                attempts: 0,
                drawer: Some(pin),
            },
        );
        id
    }

    /// The printer refused before anything was sent.
    pub fn held(&mut self, id: &str, problem: PrinterProblem) -> Result<(), PrintError> {
        let i = self.printing(id)?;
        self.jobs[i].state = JobState::Held(problem);
        Ok(())
    }

    /// The write failed after it began (or the printer went out of paper during it).
    pub fn unsure(&mut self, id: &str, problem: PrinterProblem) -> Result<(), PrintError> {
        let i = self.printing(id)?;
        self.jobs[i].state = JobState::Unsure(problem);
        Ok(())
    }

    /// The printer is ready again: held jobs go (unsure ones still wait for the cashier).
    pub fn ready(&mut self) {
        for j in &mut self.jobs {
            if matches!(j.state, JobState::Held(_)) {
                j.state = JobState::Waiting;
            }
        }
    }

    /// A driver that stopped mid-job (the page reloaded) cannot know what printed: every job it
    /// had in hand becomes the cashier's question.
    pub fn interrupted(&mut self) {
        for j in &mut self.jobs {
            if j.state == JobState::Printing {
                j.state = JobState::Unsure(PrinterProblem::Transport("interrupted".into()));
            }
        }
    }

    /// The cashier looked at an unsure job: it printed (done), or it did not (send it again).
    pub fn resolve(&mut self, id: &str, it_printed: bool) -> Result<(), PrintError> {
        let i = self
            .jobs
            .iter()
            .position(|j| j.id == id && matches!(j.state, JobState::Unsure(_) | JobState::Held(_)))
            .ok_or_else(|| PrintError::NoSuchJob(id.to_string()))?;
        if it_printed {
            if let Some(job) = self.jobs.remove(i) {
                self.remember(job.id);
            }
        } else {
            self.jobs[i].state = JobState::Waiting;
        }
        Ok(())
    }

    /// Drop a job that has not printed (the cashier gave the customer a browser-printed copy).
    pub fn cancel(&mut self, id: &str) -> Result<PrintJob, PrintError> {
        let i = self
            .jobs
            .iter()
            .position(|j| j.id == id && j.state != JobState::Printing)
            .ok_or_else(|| PrintError::NoSuchJob(id.to_string()))?;
        self.jobs
            .remove(i)
            .ok_or_else(|| PrintError::NoSuchJob(id.to_string()))
    }
}

/// A test page for the device settings screen: the printer's name, a ruler of its columns, the
/// characters a receipt needs (yen, euro, kanji in Japanese), and a cut. Proves the code page,
/// the paper width and the cutter in one print.
pub fn test_page(name: &str, paper: PaperWidth, lang: Lang) -> Vec<u8> {
    let cp = match lang {
        Lang::Ja => CodePage::ShiftJis,
        Lang::En => CodePage::Cp858,
    };
    let mut p = Escpos::new(paper, cp);
    p.init()
        .align(Align::Center)
        .bold(true)
        .double(true, true)
        .line("till")
        .double(false, false)
        .bold(false)
        .line(name)
        .align(Align::Left);
    let cols = p.columns();
    let ruler: String = (1..=cols)
        .map(|i| char::from_digit((i % 10) as u32, 10).unwrap_or('0'))
        .collect();
    p.line(&ruler);
    match lang {
        Lang::Ja => p.line("テスト印字 ¥1,000 税込 軽減税率"),
        Lang::En => p.line("Test print £1.00 €1.00 $1.00"),
    };
    p.pair("Paper", &format!("{cols} columns"))
        .feed(3)
        .cut(Cut::Partial, 0);
    p.into_bytes()
}

/// A sale's receipt for this printer: its paper decides the columns.
/// An exchange's sale also lists what came back (`returned`).
pub fn receipt_job(
    sale: &Sale,
    returned: Option<receipt::Returned<'_>>,
    store: &StoreSettings,
    printer: &PrinterSettings,
) -> Vec<u8> {
    let mut opts = ReceiptOptions::for_store(store);
    opts.paper = printer.paper;
    opts.columns = printer.paper.columns(Font::A);
    let blocks = match returned {
        Some(r) => receipt::exchange_layout(r, sale, store, &opts),
        None => receipt::layout(sale, store, &opts),
    };
    receipt::to_escpos(&blocks, &opts)
}

/// Whether printing this sale's receipt opens the drawer: the first print of a cash sale does
/// (the cashier counts change while it prints), a copy never.
pub fn opens_drawer(sale: &Sale, printer: &PrinterSettings, first: bool) -> bool {
    first
        && printer.drawer_on_cash
        && sale
            .tenders
            .iter()
            .any(|t| matches!(t, Tender::Cash { .. }))
}

/// A drawer pulse (ESC p): what a drawer job sends to a printer that is ready.
pub fn drawer_pulse(pin: DrawerPin) -> Vec<u8> {
    let mut p = Escpos::new(PaperWidth::default(), CodePage::Cp437);
    p.open_drawer(pin);
    p.into_bytes()
}

/// The real-time drawer pulse (DLE DC4 1 m t, 100 ms): what a drawer job sends when the
/// printer is out of paper or its cover is open. The printer has stopped taking ordinary
/// commands then, but still executes real-time ones.
pub fn drawer_pulse_now(pin: DrawerPin) -> Vec<u8> {
    let m = match pin {
        DrawerPin::Pin2 => 0,
        DrawerPin::Pin5 => 1,
    };
    vec![0x10, 0x14, 1, m, 1]
}

impl PrinterProblem {
    /// A drawer can still be kicked (real time) with this problem: the paper and the cover do
    /// not stop the drawer; a printer that is off, in error or unreachable does.
    pub fn drawer_still_opens(&self) -> bool {
        matches!(self, PrinterProblem::PaperOut | PrinterProblem::CoverOpen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escpos::StatusRequest;
    use proptest::prelude::*;

    #[test]
    fn status_bytes_become_the_cashiers_next_step() {
        // DLE EOT 4 answered 0x72: paper out on both sensors.
        let s = PrinterStatus::parse(StatusRequest::PaperSensor, 0x72).unwrap();
        let p = PrinterProblem::from_status(&s).unwrap();
        assert_eq!(p, PrinterProblem::PaperOut);
        assert!(p
            .message()
            .starts_with("Printer out of paper — reload paper"));
        // DLE EOT 2 answered 0x16: cover open.
        let s = PrinterStatus::parse(StatusRequest::OfflineCause, 0x16).unwrap();
        assert_eq!(
            PrinterProblem::from_status(&s),
            Some(PrinterProblem::CoverOpen)
        );
        // All clear.
        let mut s = PrinterStatus::parse(StatusRequest::Printer, 0x12).unwrap();
        s.apply(StatusRequest::PaperSensor, 0x12).unwrap();
        assert_eq!(PrinterProblem::from_status(&s), None);
    }

    #[test]
    fn test_pages_and_the_drawer_pulse() {
        assert_eq!(drawer_pulse(DrawerPin::Pin5), vec![0x1b, b'p', 1, 25, 250]);
        let ja = test_page("Front printer", PaperWidth::Mm58, Lang::Ja);
        // ESC @, then Kanji mode for Japanese; the ruler is the paper's 32 columns; a partial cut.
        assert_eq!(&ja[..2], &[0x1b, b'@']);
        assert!(ja.windows(2).any(|w| w == [0x1c, b'&']));
        let ruler = b"12345678901234567890123456789012\n";
        assert!(ja.windows(ruler.len()).any(|w| w == ruler));
        assert!(!ja
            .windows(ruler.len() + 1)
            .any(|w| w == b"123456789012345678901234567890123"));
        // テ in Shift_JIS is 0x83 0x65.
        assert!(ja.windows(2).any(|w| w == [0x83, 0x65]));
        assert_eq!(&ja[ja.len() - 4..], &[0x1d, b'V', 66, 0]);
        let en = test_page("Printer", PaperWidth::Mm80, Lang::En);
        // € is 0xD5 in CP858.
        assert!(en.contains(&0xD5));
    }

    #[test]
    fn a_cash_receipt_opens_the_drawer_first_and_a_copy_never() {
        use crate::cart::Cart;
        use crate::money::{Currency, Money};
        let store = crate::demo::store();
        let mut cart = Cart::default();
        let p = crate::cart::tests::product(
            "a",
            140,
            crate::tax::TaxClass::Reduced,
            crate::catalogue::SoldBy::Each,
        );
        cart.add(&p, rust_decimal::Decimal::ONE).unwrap();
        let sale = Sale::complete(
            &cart,
            &store,
            vec![Tender::Cash {
                tendered: Money::new(rust_decimal::Decimal::from(1000), Currency::JPY),
            }],
            crate::sale::Checkout {
                id: uuid::Uuid::from_u128(1),
                lane_id: "l1",
                receipt_no: "L1-000001".into(),
                at_ms: 1_795_532_400_000,
            },
        )
        .unwrap();
        let mut settings = PrinterSettings::default();
        assert!(opens_drawer(&sale, &settings, true));
        assert!(!opens_drawer(&sale, &settings, false));
        let receipt = receipt_job(&sale, None, &store, &settings);
        assert!(!receipt.windows(2).any(|w| w == [0x1b, b'p']));
        settings.drawer_on_cash = false;
        assert!(!opens_drawer(&sale, &settings, true));
    }

    #[test]
    fn the_drawer_goes_ahead_of_a_receipt_waiting_for_paper() {
        let mut q = PrintQueue::new();
        q.add("L1-000001", "Receipt L1-000001", vec![1]).unwrap();
        let job = q.start().unwrap();
        q.held(&job.id, PrinterProblem::PaperOut).unwrap();
        let d = q.drawer(DrawerPin::Pin2);
        let next = q.start().unwrap();
        assert_eq!(next.id, d);
        assert_eq!(next.drawer, Some(DrawerPin::Pin2));
        assert!(PrinterProblem::PaperOut.drawer_still_opens());
        assert!(!PrinterProblem::Offline.drawer_still_opens());
        q.printed(&d).unwrap();
        // The receipt still waits for paper; once it is back, it prints.
        assert_eq!(q.problem(), Some(&PrinterProblem::PaperOut));
        q.ready();
        assert_eq!(q.start().unwrap().id, "L1-000001");
        // A drawer job queued while a receipt is being written goes right after it.
        let d2 = q.drawer(DrawerPin::Pin5);
        assert_eq!(q.jobs().nth(1).unwrap().id, d2);
        assert_eq!(drawer_pulse_now(DrawerPin::Pin5), vec![0x10, 0x14, 1, 1, 1]);
    }

    #[test]
    fn a_receipt_prints_once() {
        let mut q = PrintQueue::new();
        q.add("0001-000001", "Receipt 0001-000001", vec![1])
            .unwrap();
        assert_eq!(
            q.add("0001-000001", "Receipt 0001-000001", vec![1]),
            Err(PrintError::AlreadyQueued("Receipt 0001-000001".into()))
        );
        let job = q.start().unwrap();
        assert_eq!(q.start(), None, "one job at a time");
        q.printed(&job.id).unwrap();
        assert!(matches!(
            q.add("0001-000001", "Receipt 0001-000001", vec![1]),
            Err(PrintError::AlreadyPrinted(_))
        ));
        let copy = q.reprint("0001-000001", "Receipt 0001-000001", vec![1]);
        assert_eq!(q.start().unwrap().id, copy);
    }

    #[test]
    fn paper_out_holds_the_queue_in_order_and_resumes() {
        let mut q = PrintQueue::new();
        q.add("a", "A", vec![1]).unwrap();
        q.add("b", "B", vec![2]).unwrap();
        let a = q.start().unwrap();
        q.held(&a.id, PrinterProblem::PaperOut).unwrap();
        assert_eq!(q.problem(), Some(&PrinterProblem::PaperOut));
        assert_eq!(q.start(), None, "B must not print before A");
        q.ready();
        assert_eq!(q.start().unwrap().id, "a");
        q.printed("a").unwrap();
        assert_eq!(q.start().unwrap().id, "b");
    }

    #[test]
    fn a_failed_write_waits_for_the_cashier() {
        let mut q = PrintQueue::new();
        q.add("a", "A", vec![1]).unwrap();
        let a = q.start().unwrap();
        q.unsure(&a.id, PrinterProblem::Transport("NetworkError".into()))
            .unwrap();
        q.ready();
        assert_eq!(q.start(), None, "never resent without the cashier");
        q.resolve("a", false).unwrap();
        assert_eq!(q.start().unwrap().attempts, 2);
        q.interrupted();
        q.resolve("a", true).unwrap();
        assert!(q.is_empty() && q.was_printed("a"));
        assert_eq!(q.printed("a"), Err(PrintError::NoSuchJob("a".into())));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u8),
        Reprint(u8),
        Start,
        Printed,
        Held,
        Unsure,
        Ready,
        Resolve(bool),
        Interrupted,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..6).prop_map(Op::Add),
            (0u8..6).prop_map(Op::Reprint),
            Just(Op::Start),
            Just(Op::Printed),
            Just(Op::Held),
            Just(Op::Unsure),
            Just(Op::Ready),
            any::<bool>().prop_map(Op::Resolve),
            Just(Op::Interrupted),
        ]
    }

    proptest! {
        /// Invariant: without a resolve(false) from the cashier, no job id is ever sent again
        /// after a send that may have printed, and no id prints twice; jobs start in queue order.
        #[test]
        fn nothing_prints_twice_by_accident(ops in proptest::collection::vec(op(), 0..60)) {
            let mut q = PrintQueue::new();
            let mut maybe_printed: std::collections::HashSet<String> = Default::default();
            let mut confirmed_not: std::collections::HashSet<String> = Default::default();
            let mut current: Option<String> = None;
            for o in ops {
                match o {
                    Op::Add(n) => { let _ = q.add(&n.to_string(), "x", vec![n]); }
                    Op::Reprint(n) => { q.reprint(&n.to_string(), "x", vec![n]); }
                    Op::Start => {
                        if let Some(j) = q.start() {
                            if maybe_printed.contains(&j.id) {
                                prop_assert!(confirmed_not.remove(&j.id), "{} resent", j.id);
                            }
                            maybe_printed.insert(j.id.clone());
                            current = Some(j.id);
                        }
                    }
                    Op::Printed => if let Some(id) = current.take() { let _ = q.printed(&id); },
                    Op::Held => if let Some(id) = current.take() {
                        // Refused before sending: it did not print.
                        if q.held(&id, PrinterProblem::PaperOut).is_ok() {
                            confirmed_not.insert(id.clone());
                        }
                    },
                    Op::Unsure => if let Some(id) = current.take() {
                        let _ = q.unsure(&id, PrinterProblem::NoAnswer);
                    },
                    Op::Ready => q.ready(),
                    Op::Interrupted => { q.interrupted(); current = None; }
                    Op::Resolve(printed) => {
                        let id = q.jobs().find(|j| matches!(j.state, JobState::Unsure(_))).map(|j| j.id.clone());
                        if let Some(id) = id {
                            q.resolve(&id, printed).unwrap();
                            if !printed { confirmed_not.insert(id); }
                        }
                    }
                }
                let printing = q.jobs().filter(|j| j.state == JobState::Printing).count();
                prop_assert!(printing <= 1);
            }
        }
    }
}
