//! Developer commands for till (native):
//!
//!   till-tools demo-sql            SQL that creates the demo tenant, store and owner (idempotent)
//!   till-tools catalogue <n>       n generated products as JSON (the demo uses 2,000; benches 100k)
//!   till-tools demo-credentials    the demo owner's email and password, for printing
//!   till-tools sale-events <lane_id> <first_seq> <count> [at_ms]
//!                                  valid SaleCompleted events of the demo store, priced by core
//!                                  (for API tests and the offline-backlog benchmark)
//!   till-tools refund-event <lane_id> <seq> <sale event JSON> <line> <qty> [id_seed]
//!                                  a RefundIssued event returning <qty> of <line> of that sale,
//!                                  computed by core as if no refund had been made before
//!   till-tools icon <size> any|maskable
//!                                  the app icon as PNG (assets/icons/ holds 192, 512, maskable 512)
//!
//! The demo password is public by design: the demo store exists only on a developer's machine.

mod icon;

use sha2::Sha256;
use std::io::Write;
use till_core::demo;
use till_edge::auth::{PasswordHash, PBKDF2_ITERATIONS};

const DEMO_TENANT: &str = "demo-tenant";
const DEMO_EMAIL: &str = "owner@demo.till";
const DEMO_PASSWORD: &str = "till-demo-owner";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = std::io::stdout();
    let mut out = out.lock();
    let result = match args.first().map(String::as_str) {
        Some("demo-sql") => writeln!(out, "{}", demo_sql()),
        Some("catalogue") => {
            let n = args
                .get(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(demo::DEMO_PRODUCTS);
            serde_json::to_writer(&mut out, &demo::catalogue(n)).map_err(std::io::Error::other)
        }
        Some("demo-credentials") => writeln!(out, "{DEMO_EMAIL} {DEMO_PASSWORD}"),
        Some("refund-event") => match refund_event(&args[1..]) {
            Ok(event) => serde_json::to_writer(&mut out, &event).map_err(std::io::Error::other),
            Err(e) => Err(std::io::Error::other(e)),
        },
        Some("sale-events") => match sale_events(&args[1..]) {
            Ok(events) => serde_json::to_writer(&mut out, &events).map_err(std::io::Error::other),
            Err(e) => Err(std::io::Error::other(e)),
        },
        Some("icon") => match (
            args.get(1).and_then(|s| s.parse::<u32>().ok()),
            args.get(2).map(String::as_str),
        ) {
            (Some(size @ 16..=1024), Some(kind @ ("any" | "maskable"))) => {
                let purpose = if kind == "any" {
                    icon::Purpose::Any
                } else {
                    icon::Purpose::Maskable
                };
                out.write_all(&icon::png(size, &icon::draw(size, purpose)))
            }
            _ => Err(std::io::Error::other(
                "usage: till-tools icon <16..1024> any|maskable",
            )),
        },
        _ => {
            eprintln!("usage: till-tools demo-sql | catalogue <n> | demo-credentials | sale-events <lane> <first_seq> <count> [at_ms] | refund-event <lane> <seq> <sale json> <line> <qty> [id_seed] | icon <size> any|maskable");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("till-tools: {e}");
        std::process::exit(1);
    }
}

/// A salt that differs per run without a randomness dependency: the hash of the clock and pid.
/// (INSERT OR IGNORE keeps the first run's verifier, so it does not change after that.)
fn salt() -> Vec<u8> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!("{nanos}-{}", std::process::id());
    till_edge::auth::sha256_hex(seed.as_bytes()).as_bytes()[..16].to_vec()
}

fn demo_sql() -> String {
    let salt = salt();
    let mut hash = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        DEMO_PASSWORD.as_bytes(),
        &salt,
        PBKDF2_ITERATIONS,
        &mut hash,
    );
    let verifier = PasswordHash {
        iterations: PBKDF2_ITERATIONS,
        salt,
        hash: hash.to_vec(),
    };
    let settings = serde_json::to_string(&demo::store()).expect("store settings serialise");
    let q = |s: &str| s.replace('\'', "''");
    format!(
        "INSERT OR IGNORE INTO tenants (id, name, created_ms) VALUES ('{DEMO_TENANT}', 'till demo', 0);\n\
         INSERT OR IGNORE INTO stores (id, tenant_id, settings, created_ms) VALUES ('{store}', '{DEMO_TENANT}', '{settings}', 0);\n\
         INSERT OR IGNORE INTO owners (id, tenant_id, email, password_hash, created_ms) VALUES ('demo-owner', '{DEMO_TENANT}', '{DEMO_EMAIL}', '{verifier}', 0);",
        store = demo::DEMO_STORE_ID,
        settings = q(&settings),
    )
}

/// `count` sales numbered from `first_seq` for `lane`, each of one to three demo products paid
/// exactly in cash: what a lane would have in its outbox.
fn sale_events(args: &[String]) -> Result<Vec<till_core::event::Event>, String> {
    use till_core::cart::Cart;
    use till_core::event::{new_id, Event, EventBody};
    use till_core::money::Money;
    use till_core::sale::{Checkout, Sale, Tender};
    let lane = args.first().ok_or("lane id missing")?;
    let first: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .ok_or("first_seq missing")?;
    let count: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .ok_or("count missing")?;
    let at_ms: i64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    });
    let store = demo::store();
    let products: Vec<_> = demo::catalogue(demo::DEMO_PRODUCTS)
        .into_iter()
        .filter(|p| p.gtin.is_some())
        .collect();
    (first..first + count)
        .map(|seq| {
            let mut cart = Cart::default();
            for k in 0..(1 + seq % 3) {
                let p = &products[((seq * 7 + k * 13) as usize) % products.len()];
                cart.add(p, till_core::Decimal::ONE)
                    .map_err(|e| e.to_string())?;
            }
            let total = cart.totals(&store).map_err(|e| e.to_string())?.total;
            // Deterministic per (lane, seq), distinct across lanes: the hash stands in for the
            // device's random bytes.
            let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("{lane}/{seq}").as_bytes());
            let mut random = [0u8; 10];
            random.copy_from_slice(&digest[..10]);
            let id = new_id(at_ms as u64, random);
            let ck = Checkout {
                id,
                lane_id: lane,
                receipt_no: format!("T-{seq:06}"),
                at_ms,
            };
            let sale = Sale::complete(
                &cart,
                &store,
                vec![Tender::Cash {
                    tendered: Money::new(total.amount, store.currency),
                }],
                ck,
            )
            .map_err(|e| e.to_string())?;
            Ok(Event {
                id,
                lane_id: lane.clone(),
                lane_seq: seq,
                at_ms,
                v: 1,
                body: EventBody::SaleCompleted(sale),
            })
        })
        .collect()
}

fn refund_event(args: &[String]) -> Result<till_core::event::Event, String> {
    use till_core::event::{new_id, Event, EventBody};
    use till_core::refund::{Refund, RefundTo, ReturnLine, ReturnOrder};
    use till_core::sale::Checkout;
    let [lane, seq, sale, line, qty, rest @ ..] = args else {
        return Err(
            "usage: refund-event <lane> <seq> <sale event JSON> <line> <qty> [id_seed]".into(),
        );
    };
    let seq: u64 = seq.parse().map_err(|_| "seq must be a number")?;
    let sale: Event = serde_json::from_str(sale).map_err(|e| e.to_string())?;
    let EventBody::SaleCompleted(sale) = sale.body else {
        return Err("not a sale event".into());
    };
    let line: usize = line.parse().map_err(|_| "line must be a number")?;
    let qty: till_core::Decimal = qty.parse().map_err(|_| "qty must be a number")?;
    let seed = rest.first().cloned().unwrap_or_default();
    let digest =
        <sha2::Sha256 as sha2::Digest>::digest(format!("refund/{lane}/{seq}/{seed}").as_bytes());
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[..10]);
    let at_ms = sale.at_ms + 60_000;
    let id = new_id(at_ms as u64, random);
    let order = ReturnOrder {
        lines: vec![ReturnLine { line, qty }],
        to: RefundTo::OriginalTenders,
        reason: "customer return".into(),
        approved_by: None,
    };
    let ck = Checkout {
        id,
        lane_id: lane,
        receipt_no: format!("T-R{seq:06}"),
        at_ms,
    };
    let refund =
        Refund::against(ck, &demo::store(), &sale, &[], order).map_err(|e| e.to_string())?;
    Ok(Event {
        id,
        lane_id: lane.clone(),
        lane_seq: seq,
        at_ms,
        v: 1,
        body: EventBody::RefundIssued(refund),
    })
}
