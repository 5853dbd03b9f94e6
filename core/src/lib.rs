//! till-core: every business rule of till, once. Pure Rust: no browser, Workers or I/O types,
//! so the till (wasm) and the edge (Worker) price and check a sale with the same code, and the
//! rules are tested natively.

pub mod barcode;
pub mod cart;
pub mod catalogue;
pub mod customer;
pub mod customer_display;
pub mod demo;
pub mod device;
pub mod escpos;
pub mod event;
pub mod exchange;
pub mod export;
pub mod gift_card;
pub mod money;
pub mod pole;
pub mod printer;
pub mod promo;
pub mod receipt;
pub mod refund;
pub mod report;
pub mod rescue;
pub mod sale;
pub mod scanner;
pub mod shift;
pub mod staff;
pub mod stock;
pub mod store;
pub mod sync;
pub mod tax;
pub mod tender;
pub mod text;
pub mod time;
pub mod tip;
pub mod void;

pub use rust_decimal::Decimal;
pub use uuid::Uuid;
