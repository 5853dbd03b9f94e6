//! till-edge: the Cloudflare Worker. Handlers read like the API table: parse → authorise →
//! core / store object → answer. The Worker glue is wasm-only; everything else (errors,
//! credentials, the store's SQL ledger statements) builds and tests natively.

pub mod auth;
pub mod error;

#[cfg(target_arch = "wasm32")]
mod glue;
#[cfg(target_arch = "wasm32")]
mod store_object;

/// Version string reported by /api/health (and compared by the till on update).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
