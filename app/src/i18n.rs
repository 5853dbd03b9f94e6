//! The till's language for this page: chosen once when the page starts, from the device's own
//! choice, else the store's language (remembered from the last time the lane loaded), else the
//! browser's. Views take their words from core's catalogue through `tr`/`trf`; a change of
//! language reloads the page, between sales, so no half-translated screen is ever shown.

use std::cell::Cell;
use std::fmt::Display;
use till_core::text::{Lang, Text};

thread_local! {
    static LANG: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// This device's choice, when it has one ("ja"/"en").
const DEVICE_KEY: &str = "till.lang";
/// The store's language as last seen, so the next start needs no second render.
const STORE_KEY: &str = "till.store_lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored(key: &str) -> Option<Lang> {
    storage()?
        .get_item(key)
        .ok()
        .flatten()
        .map(|t| Lang::from_tag(&t))
}

/// The language of the page now.
pub fn lang() -> Lang {
    LANG.with(Cell::get)
}

/// One string of the catalogue in the page's language.
pub fn tr(key: Text) -> &'static str {
    key.get(lang())
}

/// One string with its `{name}` parameters filled in.
pub fn trf(key: Text, args: &[(&str, &dyn Display)]) -> String {
    key.fill(lang(), args)
}

/// Decides the page's language before anything renders; `<html lang>` follows (screen readers
/// and fonts pick Japanese glyphs by it).
pub fn start() -> Lang {
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .map(|t| Lang::from_tag(&t))
        .unwrap_or(Lang::En);
    let chosen = stored(DEVICE_KEY)
        .or_else(|| stored(STORE_KEY))
        .unwrap_or(browser);
    LANG.with(|l| l.set(chosen));
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", chosen.code());
    }
    chosen
}

/// The device's own choice, if any (None: follow the store).
pub fn device_choice() -> Option<Lang> {
    stored(DEVICE_KEY)
}

/// Sets or clears the device's choice. True when the page must reload to speak it.
pub fn choose_for_device(choice: Option<Lang>) -> bool {
    if let Some(s) = storage() {
        let _ = match choice {
            Some(l) => s.set_item(DEVICE_KEY, l.code()),
            None => s.remove_item(DEVICE_KEY),
        };
    }
    wanted().is_some_and(|w| w != lang())
}

/// The store's language as the lane knows it now. True when the page must reload to speak it
/// (the device has no choice of its own and the page started in another language).
pub fn store_speaks(locale: &str) -> bool {
    let store = Lang::from_tag(locale);
    if stored(STORE_KEY) != Some(store) {
        if let Some(s) = storage() {
            let _ = s.set_item(STORE_KEY, store.code());
        }
    }
    wanted().is_some_and(|w| w != lang())
}

/// What the next start would choose, from what is stored (None: nothing stored yet).
fn wanted() -> Option<Lang> {
    stored(DEVICE_KEY).or_else(|| stored(STORE_KEY))
}

/// Starts the page again in the language now chosen (everything the till holds is in
/// IndexedDB, the open cart included).
pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}
