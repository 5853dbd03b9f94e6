//! till-sw: the service worker. Precaches the versioned app shell at install, removes older
//! versions' caches at activate, and answers fetches: navigations from the network with a short
//! timeout, then from the cache (so the till boots with no network); hashed app assets from the
//! cache first; `/api/...` never (the app's sync layer owns API traffic).
//!
//! The build (scripts/build-sw.sh) embeds this wasm in `sw.js` and instantiates it synchronously,
//! so `start` registers the listeners during the worker script's first evaluation, as the
//! platform requires.

/// What the service worker does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Leave it to the browser: API calls, other origins, non-GET.
    Network,
    /// A page load: network first (short timeout), then the cached app shell.
    Navigate,
    /// A file of the app shell: cache first, then network.
    Asset,
}

/// How long a navigation waits for the network before the cached shell is served.
pub const NAVIGATION_TIMEOUT_MS: i32 = 3_000;

pub fn route(method: &str, same_origin: bool, path: &str, navigate: bool) -> Route {
    if method != "GET" || !same_origin || path == "/api" || path.starts_with("/api/") {
        Route::Network
    } else if navigate {
        Route::Navigate
    } else {
        Route::Asset
    }
}

/// The cached page a navigation falls back to when the network fails: the till's shell, the
/// customer display's own page, and nothing for the owner's pages, which are not cached (they
/// show live data from the network; serving the till there would be wrong).
pub fn shell_for(path: &str) -> Option<&'static str> {
    if path == "/owner" || path.starts_with("/owner/") {
        None
    } else if path == "/display" {
        Some("/display")
    } else {
        Some("/")
    }
}

/// A page asks a waiting (newer) version to take over with this message; the till sends it only
/// when the cart is empty and no payment is in progress.
pub const SKIP_WAITING: &str = "skip-waiting";

/// The Background Sync tag the till registers when a push fails for lack of network.
pub const OUTBOX_SYNC_TAG: &str = "till-outbox";

/// What the service worker tells open tills when the browser says connectivity is back.
pub const FLUSH: &str = "flush";

/// The cache that holds one build's shell.
pub fn cache_name(version: &str) -> String {
    format!("till-shell-{version}")
}

/// Caches of older builds, to delete once this version is active.
pub fn is_stale_cache(name: &str, version: &str) -> bool {
    name.starts_with("till-shell-") && name != cache_name(version)
}

#[cfg(target_arch = "wasm32")]
mod worker {
    use super::*;
    use js_sys::{Array, Promise};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::{future_to_promise, JsFuture};
    use web_sys::{
        Cache, Client, ClientQueryOptions, ExtendableEvent, ExtendableMessageEvent, FetchEvent,
        Request, RequestMode, Response, ServiceWorkerGlobalScope, Url,
    };

    fn scope() -> ServiceWorkerGlobalScope {
        js_sys::global().unchecked_into()
    }

    async fn open(version: &str) -> Result<Cache, JsValue> {
        Ok(JsFuture::from(scope().caches()?.open(&cache_name(version)))
            .await?
            .unchecked_into())
    }

    #[wasm_bindgen]
    pub fn start(version: String, precache: Vec<String>) -> Result<(), JsValue> {
        let sw = scope();

        let v = version.clone();
        let install = Closure::<dyn Fn(ExtendableEvent)>::new(move |e: ExtendableEvent| {
            let (v, files) = (v.clone(), precache.clone());
            let _ = e.wait_until(&future_to_promise(async move {
                let list: Array = files.iter().map(|f| JsValue::from_str(f)).collect();
                JsFuture::from(open(&v).await?.add_all_with_str_sequence(&list)).await
            }));
        });
        sw.add_event_listener_with_callback("install", install.as_ref().unchecked_ref())?;
        install.forget();

        let v = version.clone();
        let activate = Closure::<dyn Fn(ExtendableEvent)>::new(move |e: ExtendableEvent| {
            let v = v.clone();
            let _ = e.wait_until(&future_to_promise(async move {
                let caches = scope().caches()?;
                let names: Array = JsFuture::from(caches.keys()).await?.unchecked_into();
                for name in names.iter().filter_map(|n| n.as_string()) {
                    if is_stale_cache(&name, &v) {
                        JsFuture::from(caches.delete(&name)).await?;
                    }
                }
                JsFuture::from(scope().clients().claim()).await
            }));
        });
        sw.add_event_listener_with_callback("activate", activate.as_ref().unchecked_ref())?;
        activate.forget();

        let fetch = Closure::<dyn Fn(FetchEvent)>::new(move |e: FetchEvent| {
            let req = e.request();
            let Ok(url) = Url::new(&req.url()) else {
                return;
            };
            let same_origin = url.origin() == scope().location().origin();
            let navigate = req.mode() == RequestMode::Navigate;
            let answer = match route(&req.method(), same_origin, &url.pathname(), navigate) {
                Route::Network => return,
                Route::Navigate => future_to_promise(navigation(req, version.clone())),
                Route::Asset => future_to_promise(asset(req, version.clone())),
            };
            let _ = e.respond_with(&answer);
        });
        sw.add_event_listener_with_callback("fetch", fetch.as_ref().unchecked_ref())?;
        fetch.forget();

        // A new version waits (the browser's default) until a till says it is idle.
        let message =
            Closure::<dyn Fn(ExtendableMessageEvent)>::new(move |e: ExtendableMessageEvent| {
                if e.data().as_string().as_deref() == Some(SKIP_WAITING) {
                    if let Ok(p) = scope().skip_waiting() {
                        let _ = e.wait_until(&p);
                    }
                }
            });
        sw.add_event_listener_with_callback("message", message.as_ref().unchecked_ref())?;
        message.forget();

        // Background Sync: the sale data and the lane's token live in the page's IndexedDB and
        // sync layer, so the worker only wakes the open tills; they push their own outbox.
        let sync = Closure::<dyn Fn(ExtendableEvent)>::new(move |e: ExtendableEvent| {
            let tag = js_sys::Reflect::get(&e, &JsValue::from_str("tag"))
                .ok()
                .and_then(|t| t.as_string());
            if tag.as_deref() == Some(OUTBOX_SYNC_TAG) {
                let _ = e.wait_until(&future_to_promise(wake_tills()));
            }
        });
        sw.add_event_listener_with_callback("sync", sync.as_ref().unchecked_ref())?;
        sync.forget();
        Ok(())
    }

    async fn wake_tills() -> Result<JsValue, JsValue> {
        let options = ClientQueryOptions::new();
        options.set_include_uncontrolled(true);
        let clients: Array = JsFuture::from(scope().clients().match_all_with_options(&options))
            .await?
            .unchecked_into();
        for client in clients.iter() {
            client
                .unchecked_into::<Client>()
                .post_message(&JsValue::from_str(FLUSH))?;
        }
        Ok(JsValue::UNDEFINED)
    }

    /// Network with a timeout; on failure or timeout, the cached page (see `shell_for`).
    async fn navigation(req: Request, version: String) -> Result<JsValue, JsValue> {
        let network = scope().fetch_with_request(&req);
        let timeout = Promise::new(&mut |_, reject| {
            let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(
                &reject,
                NAVIGATION_TIMEOUT_MS,
            );
        });
        match JsFuture::from(Promise::race(&Array::of2(&network, &timeout))).await {
            Ok(resp) if resp.unchecked_ref::<Response>().ok() => Ok(resp),
            other => {
                let path = web_sys::Url::new(&req.url())
                    .map(|u| u.pathname())
                    .unwrap_or_default();
                let Some(shell) = shell_for(&path) else {
                    return other;
                };
                let cached = JsFuture::from(open(&version).await?.match_with_str(shell)).await?;
                if cached.is_undefined() {
                    other
                } else {
                    Ok(cached)
                }
            }
        }
    }

    /// Cache first (files are named by content hash, so a cached copy is never stale).
    async fn asset(req: Request, version: String) -> Result<JsValue, JsValue> {
        let cached = JsFuture::from(open(&version).await?.match_with_request(&req)).await?;
        if !cached.is_undefined() {
            return Ok(cached);
        }
        JsFuture::from(scope().fetch_with_request(&req)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_till_falls_back_to_the_cached_shell() {
        assert_eq!(shell_for("/"), Some("/"));
        assert_eq!(shell_for("/anything"), Some("/"));
        assert_eq!(shell_for("/owner"), None);
        assert_eq!(shell_for("/owner/stores"), None);
        assert_eq!(shell_for("/owners-club"), Some("/"));
        assert_eq!(shell_for("/display"), Some("/display"));
    }

    #[test]
    fn api_calls_are_never_handled() {
        assert_eq!(
            route("GET", true, "/api/v1/sync/pull", false),
            Route::Network
        );
        assert_eq!(route("GET", true, "/api", true), Route::Network);
        assert_eq!(route("POST", true, "/", true), Route::Network);
        assert_eq!(route("GET", false, "/app.js", false), Route::Network);
    }

    #[test]
    fn pages_and_assets() {
        assert_eq!(route("GET", true, "/owner", true), Route::Navigate);
        assert_eq!(
            route("GET", true, "/till-app-1234_bg.wasm", false),
            Route::Asset
        );
        assert_eq!(route("GET", true, "/apiary.png", false), Route::Asset);
    }

    #[test]
    fn only_older_shell_caches_are_stale() {
        assert!(is_stale_cache("till-shell-aaa", "bbb"));
        assert!(!is_stale_cache("till-shell-bbb", "bbb"));
        assert!(!is_stale_cache("someone-else", "bbb"));
    }
}
