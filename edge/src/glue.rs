//! The Worker: HTTP API under /api (the built till is served by Workers static assets on the
//! same origin). Each handler reads like the API table: parse → authorise → core / store
//! object → answer.

use crate::auth::{self, PasswordHash, PBKDF2_ITERATIONS, SESSION_COOKIE, SESSION_DAYS};
use crate::error::ApiError;
use crate::store_object::{PushOutcome, RejectedEvent, StoreRequest, PULL_PAGE};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::json;
use till_core::money::Money;
use till_core::report::DayReport;
use till_core::rescue::{key_from_token_hash, RescueFile};
use till_core::store::StoreSettings;
use till_core::sync::{PullResponse, PushRequest, PushStatus, MAX_PUSH_EVENTS, PROTOCOL_VERSION};
use wasm_bindgen::JsCast;
use worker::*;

type ApiResult = std::result::Result<Response, ApiError>;

/// Largest request body accepted (a full push of 500 sales fits comfortably).
const MAX_BODY: usize = 4 * 1024 * 1024;
/// Largest rescue file accepted: a lane's whole backlog (10,000 sales are about 10 MB).
const MAX_RESCUE_BODY: usize = 48 * 1024 * 1024;
/// Most products one catalogue import call takes.
const MAX_IMPORT: usize = 5_000;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let answer = route(req, &env).await.or_else(|e| {
        if let ApiError::Internal(detail) = &e {
            console_error!("internal error: {detail}");
        }
        Ok::<_, Error>(Response::from_json(&e.body())?.with_status(e.status()))
    })?;
    let headers = answer.headers();
    headers.set("Cache-Control", "no-store")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    Ok(answer)
}

/// The `{id}` of `path` when it reads "{prefix}{id}{suffix}" (one path segment, not empty).
fn path_id<'a>(path: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    let id = path.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

async fn route(req: Request, env: &Env) -> ApiResult {
    let path = req.path();
    let store = |suffix| path_id(&path, "/api/v1/stores/", suffix);
    let lane = |suffix| path_id(&path, "/api/v1/lanes/", suffix);
    match (req.method(), path.as_str()) {
        (Method::Get, "/api/health") => health(env),
        (Method::Post, "/api/v1/lanes/demo") => enrol_demo_lane(env).await,
        (Method::Post, "/api/v1/lanes/pair") => pair_lane(req, env).await,
        (Method::Get, "/api/v1/lane") => lane_info(req, env).await,
        (Method::Post, "/api/v1/sync/push") => push(req, env).await,
        (Method::Get, "/api/v1/sync/pull") => pull(req, env).await,
        (Method::Post, "/api/v1/auth/login") => login(req, env).await,
        (Method::Post, "/api/v1/auth/logout") => logout(req, env).await,
        (Method::Get, "/api/v1/owner/today") => owner_today(req, env).await,
        (Method::Get, "/api/v1/owner/days") => owner_days(req, env).await,
        (Method::Post, _) if lane("/revoke").is_some() => {
            let id = lane("/revoke").unwrap_or_default().to_string();
            revoke_lane(req, env, &id).await
        }
        (Method::Post, _) if store("/pairing-codes").is_some() => {
            let id = store("/pairing-codes").unwrap_or_default().to_string();
            create_pairing_code(req, env, &id).await
        }
        (Method::Get, _) if store("/lanes").is_some() => {
            let id = store("/lanes").unwrap_or_default().to_string();
            store_lanes(req, env, &id).await
        }
        (Method::Get, _) if store("/rejected").is_some() => {
            let id = store("/rejected").unwrap_or_default().to_string();
            rejected_events(req, env, &id).await
        }
        (Method::Post, _) if store("/rescue").is_some() => {
            let id = store("/rescue").unwrap_or_default().to_string();
            upload_rescue(req, env, &id).await
        }
        (Method::Post, _) if store("/catalogue").is_some() => {
            let id = store("/catalogue").unwrap_or_default().to_string();
            import_catalogue(req, env, &id).await
        }
        _ => Err(ApiError::NotFound(format!("{} {path}", req.method()))),
    }
}

// ---------- handlers ----------

fn health(env: &Env) -> ApiResult {
    json_ok(
        &json!({ "ok": true, "version": crate::VERSION, "protocol": PROTOCOL_VERSION, "demo": demo_mode(env) }),
    )
}

/// In demo mode (local development only: `DEMO_MODE=on`), any browser that opens the till
/// becomes a new lane of the demo store. Production lanes pair with a one-time code instead.
async fn enrol_demo_lane(env: &Env) -> ApiResult {
    if !demo_mode(env) {
        return Err(ApiError::Forbidden);
    }
    let store_id = till_core::demo::DEMO_STORE_ID;
    let store = store_row(env, store_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("the demo store".into()))?;
    let lane = create_lane(env, &store, &new_lane_id()?).await?;
    json_ok(&lane)
}

fn new_lane_id() -> std::result::Result<String, ApiError> {
    Ok(format!("lane-{}", hex::encode(random_bytes::<8>()?)))
}

/// Make lane `lane_id` of `store`: the next free receipt prefix ("L3") and a fresh device token,
/// of which only the hash is kept. The answer is what the till stores as its pairing.
async fn create_lane(
    env: &Env,
    store: &StoreRow,
    lane_id: &str,
) -> std::result::Result<serde_json::Value, ApiError> {
    let token = hex::encode(random_bytes::<32>()?);
    let db = d1(env)?;
    #[derive(Deserialize)]
    struct N {
        n: f64,
    }
    let n = query_first::<N>(
        &db,
        "SELECT COUNT(*) AS n FROM lanes WHERE store_id = ?",
        &[store.id.as_str().into()],
    )
    .await?
    .map(|r| r.n as i64)
    .unwrap_or(0);
    let code = format!("L{}", n + 1);
    exec(
        &db,
        "INSERT INTO lanes (id, tenant_id, store_id, code, token_hash, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
        &[lane_id.into(), store.tenant_id.as_str().into(), store.id.as_str().into(), code.as_str().into(), auth::sha256_hex(token.as_bytes()).into(), now_ms().into()],
    )
    .await?;
    Ok(json!({ "lane_id": lane_id, "lane_code": code, "token": token, "store": store.settings()? }))
}

/// The owner makes a one-time code for a store; a new browser types it to become a lane.
async fn create_pairing_code(req: Request, env: &Env, store_id: &str) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    let code = auth::pairing_code(random_bytes::<5>()?);
    let canonical = auth::normalise_pairing_code(&code)
        .ok_or_else(|| ApiError::Internal("a generated pairing code did not read back".into()))?;
    let expires_ms = now_ms() + (auth::PAIRING_MINUTES * 60_000) as f64;
    exec(
        &d1(env)?,
        "INSERT INTO pairing_codes (code_hash, tenant_id, store_id, expires_ms) VALUES (?, ?, ?, ?)",
        &[auth::sha256_hex(canonical.as_bytes()).into(), store.tenant_id.as_str().into(), store.id.as_str().into(), expires_ms.into()],
    )
    .await?;
    json_ok(&json!({ "code": code, "store_id": store.id, "expires_ms": expires_ms as i64 }))
}

#[derive(Deserialize)]
struct Pair {
    code: String,
}

/// A browser becomes a lane with a pairing code: the code is used up in the same statement that
/// checks it, so two browsers typing it at once cannot both pair.
async fn pair_lane(mut req: Request, env: &Env) -> ApiResult {
    let body: Pair = read_json(&mut req).await?;
    let code = auth::normalise_pairing_code(&body.code).ok_or(ApiError::BadPairingCode)?;
    let lane_id = new_lane_id()?;
    #[derive(Deserialize)]
    struct Claimed {
        store_id: String,
    }
    let claimed = query_first::<Claimed>(
        &d1(env)?,
        "UPDATE pairing_codes SET used_ms = ?, lane_id = ? WHERE code_hash = ? AND used_ms IS NULL AND expires_ms > ? RETURNING store_id",
        &[now_ms().into(), lane_id.as_str().into(), auth::sha256_hex(code.as_bytes()).into(), now_ms().into()],
    )
    .await?
    .ok_or(ApiError::BadPairingCode)?;
    let store = store_row(env, &claimed.store_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("the store of that code".into()))?;
    json_ok(&create_lane(env, &store, &lane_id).await?)
}

/// The lanes of a store, for the owner: receipt prefix, when paired, whether revoked.
async fn store_lanes(req: Request, env: &Env, store_id: &str) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    #[derive(Serialize, Deserialize)]
    struct LaneRow {
        id: String,
        code: String,
        created_ms: f64,
        revoked_ms: Option<f64>,
    }
    let lanes = query_all::<LaneRow>(
        &d1(env)?,
        "SELECT id, code, created_ms, revoked_ms FROM lanes WHERE store_id = ? AND tenant_id = ? ORDER BY created_ms",
        &[store.id.as_str().into(), session.tenant_id.as_str().into()],
    )
    .await?;
    json_ok(&json!({ "store_id": store.id, "lanes": lanes }))
}

/// The owner removes a lane (a lost tablet): its token stops working at once; the till says so
/// and keeps its unsynced sales for a rescue export.
async fn revoke_lane(req: Request, env: &Env, lane_id: &str) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    #[derive(Deserialize)]
    struct Revoked {
        id: String,
    }
    let revoked = query_first::<Revoked>(
        &d1(env)?,
        "UPDATE lanes SET revoked_ms = COALESCE(revoked_ms, ?) WHERE id = ? AND tenant_id = ? RETURNING id",
        &[now_ms().into(), lane_id.into(), session.tenant_id.as_str().into()],
    )
    .await?
    // Another tenant's lane answers as a missing one: ids are not revealed.
    .ok_or_else(|| ApiError::NotFound("that lane".into()))?;
    json_ok(&json!({ "lane_id": revoked.id, "revoked": true }))
}

async fn lane_info(req: Request, env: &Env) -> ApiResult {
    let lane = authorise_lane(&req, env).await?;
    json_ok(&json!({ "lane_id": lane.id, "lane_code": lane.code, "store": lane.store.settings()? }))
}

async fn push(mut req: Request, env: &Env) -> ApiResult {
    let body: PushRequest = read_json(&mut req).await?;
    if body.protocol < 1 {
        return Err(ApiError::ProtocolTooOld(body.protocol));
    }
    if body.events.len() > MAX_PUSH_EVENTS {
        return Err(ApiError::BadRequest(format!(
            "send at most {MAX_PUSH_EVENTS} events per push"
        )));
    }
    let lane = authorise_lane(&req, env).await?;
    if body.lane_id != lane.id {
        return Err(ApiError::Forbidden);
    }
    let outcome = ingest(env, &lane.id, &lane.store, body.events).await?;
    json_ok(&outcome.response)
}

/// Events of one lane into its store's Durable Object (which skips what it already has), then
/// the touched days' roll-ups into D1. Shared by push and rescue upload, so both are idempotent
/// against each other.
async fn ingest(
    env: &Env,
    lane_id: &str,
    store: &StoreRow,
    events: Vec<serde_json::Value>,
) -> std::result::Result<PushOutcome, ApiError> {
    let outcome: PushOutcome = store_call(
        env,
        &store.id,
        &StoreRequest::Push {
            lane_id: lane_id.to_string(),
            settings: store.settings()?,
            events,
        },
    )
    .await?;
    // Copy the touched days' absolute totals into the directory: idempotent on any retry.
    let db = d1(env)?;
    let statements = outcome
        .days
        .iter()
        .map(|d| {
            db.prepare(
                "INSERT INTO daily_sales (store_id, business_day, net_minor, sales, late, revised_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT(store_id, business_day) DO UPDATE SET net_minor = excluded.net_minor, sales = excluded.sales,
                   late = excluded.late, revised_ms = excluded.revised_ms, updated_ms = excluded.updated_ms",
            )
            .bind(&[
                store.id.as_str().into(),
                d.business_day.as_str().into(),
                (d.net_minor as f64).into(),
                (d.sales as f64).into(),
                (d.late as f64).into(),
                // D1 takes null, never undefined, for "no value".
                d.revised_ms
                    .map(|ms| wasm_bindgen::JsValue::from(ms as f64))
                    .unwrap_or(wasm_bindgen::JsValue::NULL),
                now_ms().into(),
            ])
        })
        .collect::<Result<Vec<_>>>()
        .map_err(internal)?;
    if !statements.is_empty() {
        db.batch(statements).await.map_err(internal)?;
    }
    Ok(outcome)
}

/// The owner uploads a lane's rescue file (see core::rescue): the signature is checked with that
/// lane's key, then the events go through the same ingest as a push. Revoked lanes too: getting
/// their last sales in is what the file is for.
async fn upload_rescue(mut req: Request, env: &Env, store_id: &str) -> ApiResult {
    let file: RescueFile = read_json_limit(&mut req, MAX_RESCUE_BODY).await?;
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    let claimed = file
        .unverified()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    #[derive(Deserialize)]
    struct LaneKey {
        id: String,
        token_hash: String,
    }
    let lane = query_first::<LaneKey>(
        &d1(env)?,
        "SELECT id, token_hash FROM lanes WHERE id = ? AND store_id = ? AND tenant_id = ?",
        &[
            claimed.lane_id.as_str().into(),
            store.id.as_str().into(),
            session.tenant_id.as_str().into(),
        ],
    )
    .await?
    .ok_or_else(|| {
        ApiError::NotFound("the lane this rescue file comes from, in this store".into())
    })?;
    let key = key_from_token_hash(&lane.token_hash)
        .ok_or_else(|| ApiError::Internal(format!("lane {} token hash", lane.id)))?;
    let rescue = file
        .open(&key)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if rescue.store_id != store.id {
        return Err(ApiError::BadRequest(
            "this rescue file belongs to another store".into(),
        ));
    }
    let total = rescue.events.len();
    let (mut acked_through, mut results) = (0, Vec::with_capacity(total));
    let mut events = rescue.events.into_iter().peekable();
    while events.peek().is_some() {
        let batch: Vec<_> = events.by_ref().take(MAX_PUSH_EVENTS).collect();
        let outcome = ingest(env, &lane.id, &store, batch).await?;
        acked_through = outcome.response.acked_through;
        results.extend(outcome.response.results);
    }
    let count = |f: fn(&PushStatus) -> bool| results.iter().filter(|r| f(&r.status)).count();
    json_ok(&json!({
        "lane_id": lane.id,
        "lane_code": rescue.lane_code,
        "events": total,
        "applied": count(|s| matches!(s, PushStatus::Applied)),
        "duplicates": count(|s| matches!(s, PushStatus::Duplicate)),
        "rejected": count(|s| matches!(s, PushStatus::Rejected { .. })),
        "acked_through": acked_through,
        "results": results,
    }))
}

async fn pull(req: Request, env: &Env) -> ApiResult {
    let url = req.url().map_err(internal)?;
    let mut cursor = 0u64;
    let mut limit = PULL_PAGE;
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "cursor" => {
                cursor = v
                    .parse()
                    .map_err(|_| ApiError::BadRequest("cursor must be a whole number".into()))?
            }
            "limit" => {
                limit = v
                    .parse()
                    .map_err(|_| ApiError::BadRequest("limit must be a whole number".into()))?
            }
            _ => {}
        }
    }
    let lane = authorise_lane(&req, env).await?;
    let page: PullResponse = store_call(
        env,
        &lane.store.id,
        &StoreRequest::Pull {
            cursor,
            limit,
            settings: lane.store.settings()?,
        },
    )
    .await?;
    json_ok(&page)
}

#[derive(Deserialize)]
struct Login {
    email: String,
    password: String,
}

async fn login(mut req: Request, env: &Env) -> ApiResult {
    let body: Login = read_json(&mut req).await?;
    #[derive(Deserialize)]
    struct OwnerRow {
        id: String,
        tenant_id: String,
        password_hash: String,
    }
    let db = d1(env)?;
    let owner = query_first::<OwnerRow>(
        &db,
        "SELECT id, tenant_id, password_hash FROM owners WHERE email = ?",
        &[body.email.trim().into()],
    )
    .await?;
    // Derive a key even for an unknown email, so timing does not reveal which emails exist.
    let verifier = owner
        .as_ref()
        .and_then(|o| PasswordHash::parse(&o.password_hash))
        .unwrap_or(PasswordHash {
            iterations: PBKDF2_ITERATIONS,
            salt: vec![0; 16],
            hash: vec![0; 32],
        });
    let derived = pbkdf2_sha256(
        body.password.as_bytes(),
        &verifier.salt,
        verifier.iterations,
    )
    .await?;
    let owner = match owner {
        Some(o) if verifier.matches(&derived) => o,
        _ => return Err(ApiError::BadCredentials),
    };
    let token = hex::encode(random_bytes::<32>()?);
    let expires = now_ms() + SESSION_DAYS as f64 * 86_400_000.0;
    exec(
        &db,
        "INSERT INTO sessions (token_hash, owner_id, tenant_id, expires_ms) VALUES (?, ?, ?, ?)",
        &[
            auth::sha256_hex(token.as_bytes()).into(),
            owner.id.as_str().into(),
            owner.tenant_id.as_str().into(),
            expires.into(),
        ],
    )
    .await?;
    let resp = json_ok(&json!({ "ok": true }))?;
    resp.headers()
        .set(
            "Set-Cookie",
            &auth::session_cookie(&token, SESSION_DAYS * 86_400),
        )
        .map_err(internal)?;
    Ok(resp)
}

async fn logout(req: Request, env: &Env) -> ApiResult {
    if let Some(token) = auth::cookie(
        req.headers().get("Cookie").ok().flatten().as_deref(),
        SESSION_COOKIE,
    ) {
        exec(
            &d1(env)?,
            "DELETE FROM sessions WHERE token_hash = ?",
            &[auth::sha256_hex(token.as_bytes()).into()],
        )
        .await?;
    }
    let resp = json_ok(&json!({ "ok": true }))?;
    resp.headers()
        .set("Set-Cookie", &auth::session_cookie("", 0))
        .map_err(internal)?;
    Ok(resp)
}

#[derive(Serialize)]
struct StoreToday {
    store_id: String,
    name: String,
    business_day: String,
    net: Money,
    sales: i64,
}

/// Today's sales per store of the signed-in owner's tenant, from the daily roll-ups (never a
/// scan of sales), each store's "today" in its own time zone.
async fn owner_today(req: Request, env: &Env) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let db = d1(env)?;
    let stores = query_all::<StoreRow>(
        &db,
        "SELECT id, tenant_id, settings FROM stores WHERE tenant_id = ? ORDER BY id",
        &[session.tenant_id.as_str().into()],
    )
    .await?;
    let now = now_ms() as i64;
    let mut out = Vec::with_capacity(stores.len());
    for store in stores {
        let settings = store.settings()?;
        let day = till_core::time::business_day(now, settings.utc_offset_minutes);
        #[derive(Deserialize)]
        struct Day {
            net_minor: f64,
            sales: f64,
        }
        let totals = query_first::<Day>(
            &db,
            "SELECT net_minor, sales FROM daily_sales WHERE store_id = ? AND business_day = ?",
            &[store.id.as_str().into(), day.as_str().into()],
        )
        .await?;
        let (net_minor, sales) = totals
            .map(|d| (d.net_minor as i64, d.sales as i64))
            .unwrap_or((0, 0));
        out.push(StoreToday {
            store_id: store.id,
            name: settings.name.clone(),
            business_day: day,
            net: Money::from_minor(net_minor, settings.currency),
            sales,
        });
    }
    json_ok(&json!({ "stores": out }))
}

#[derive(Serialize, Deserialize)]
struct DayRow {
    business_day: String,
    net_minor: f64,
    sales: f64,
    late: f64,
    revised_ms: Option<f64>,
}

/// The last `days` business days per store of the owner's tenant (default 14, at most 92), with
/// the days whose report changed after they closed marked.
async fn owner_days(req: Request, env: &Env) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let url = req.url().map_err(internal)?;
    let days: i64 = match url.query_pairs().find(|(k, _)| k == "days") {
        Some((_, v)) => v
            .parse()
            .ok()
            .filter(|d| (1..=92).contains(d))
            .ok_or_else(|| {
                ApiError::BadRequest("days must be a whole number from 1 to 92".into())
            })?,
        None => 14,
    };
    let db = d1(env)?;
    let stores = query_all::<StoreRow>(
        &db,
        "SELECT id, tenant_id, settings FROM stores WHERE tenant_id = ? ORDER BY id",
        &[session.tenant_id.as_str().into()],
    )
    .await?;
    let now = now_ms() as i64;
    let mut out = Vec::with_capacity(stores.len());
    for store in stores {
        let settings = store.settings()?;
        let first = till_core::time::business_day(
            now - (days - 1) * 86_400_000,
            settings.utc_offset_minutes,
        );
        let rows = query_all::<DayRow>(
            &db,
            "SELECT business_day, net_minor, sales, late, revised_ms FROM daily_sales
             WHERE store_id = ? AND business_day >= ? ORDER BY business_day DESC",
            &[store.id.as_str().into(), first.as_str().into()],
        )
        .await?;
        let days: Vec<DayReport> = rows
            .into_iter()
            .map(|d| DayReport {
                business_day: d.business_day,
                net: Money::from_minor(d.net_minor as i64, settings.currency),
                sales: d.sales as i64,
                late: d.late as i64,
                revised_ms: d.revised_ms.map(|ms| ms as i64),
            })
            .collect();
        out.push(json!({ "store_id": store.id, "name": settings.name, "utc_offset_minutes": settings.utc_offset_minutes, "days": days }));
    }
    json_ok(&json!({ "stores": out }))
}

/// Events of this store refused for good, newest first, with the reason: the owner sees what
/// no lane could fix on its own.
async fn rejected_events(req: Request, env: &Env, store_id: &str) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    let rows: Vec<RejectedEvent> =
        store_call(env, &store.id, &StoreRequest::Rejected { limit: 100 }).await?;
    #[derive(Deserialize)]
    struct LaneCode {
        id: String,
        code: String,
    }
    let codes = query_all::<LaneCode>(
        &d1(env)?,
        "SELECT id, code FROM lanes WHERE store_id = ?",
        &[store.id.as_str().into()],
    )
    .await?;
    // The owner knows lanes by their receipt prefix ("L2"), not by id.
    let rejected: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let code = codes.iter().find(|c| c.id == r.lane_id).map(|c| c.code.clone());
            json!({ "lane_id": r.lane_id, "lane_code": code, "lane_seq": r.lane_seq, "reason": r.reason, "received_ms": r.received_ms })
        })
        .collect();
    json_ok(&json!({ "store_id": store.id, "rejected": rejected }))
}

#[derive(Deserialize)]
struct Import {
    products: Vec<till_core::catalogue::Product>,
}

async fn import_catalogue(mut req: Request, env: &Env, store_id: &str) -> ApiResult {
    let body: Import = read_json(&mut req).await?;
    if body.products.len() > MAX_IMPORT {
        return Err(ApiError::BadRequest(format!(
            "import at most {MAX_IMPORT} products per request"
        )));
    }
    let session = authorise_owner(&req, env).await?;
    owned_store(env, &session, store_id).await?;
    let outcome: serde_json::Value = store_call(
        env,
        store_id,
        &StoreRequest::ImportCatalogue {
            products: body.products,
        },
    )
    .await?;
    json_ok(&outcome)
}

// ---------- authorisation ----------

#[derive(Deserialize)]
struct StoreRow {
    id: String,
    tenant_id: String,
    settings: String,
}

impl StoreRow {
    fn settings(&self) -> std::result::Result<StoreSettings, ApiError> {
        serde_json::from_str(&self.settings)
            .map_err(|e| ApiError::Internal(format!("store {} settings: {e}", self.id)))
    }
}

struct Lane {
    id: String,
    code: String,
    store: StoreRow,
}

async fn authorise_lane(req: &Request, env: &Env) -> std::result::Result<Lane, ApiError> {
    let header = req.headers().get("Authorization").map_err(internal)?;
    let token = auth::bearer(header.as_deref()).ok_or(ApiError::BadDeviceToken)?;
    #[derive(Deserialize)]
    struct Row {
        id: String,
        code: String,
        revoked_ms: Option<f64>,
        store_id: String,
        tenant_id: String,
        settings: String,
    }
    let row = query_first::<Row>(
        &d1(env)?,
        "SELECT l.id, l.code, l.revoked_ms, s.id AS store_id, s.tenant_id, s.settings
         FROM lanes l JOIN stores s ON s.id = l.store_id AND s.tenant_id = l.tenant_id WHERE l.token_hash = ?",
        &[auth::sha256_hex(token.as_bytes()).into()],
    )
    .await?
    .ok_or(ApiError::BadDeviceToken)?;
    if row.revoked_ms.is_some() {
        return Err(ApiError::LaneRevoked);
    }
    Ok(Lane {
        id: row.id,
        code: row.code,
        store: StoreRow {
            id: row.store_id,
            tenant_id: row.tenant_id,
            settings: row.settings,
        },
    })
}

struct Session {
    tenant_id: String,
}

async fn authorise_owner(req: &Request, env: &Env) -> std::result::Result<Session, ApiError> {
    let header = req.headers().get("Cookie").map_err(internal)?;
    let token = auth::cookie(header.as_deref(), SESSION_COOKIE)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthenticated)?;
    #[derive(Deserialize)]
    struct Row {
        tenant_id: String,
    }
    let row = query_first::<Row>(
        &d1(env)?,
        "SELECT tenant_id FROM sessions WHERE token_hash = ? AND expires_ms > ?",
        &[auth::sha256_hex(token.as_bytes()).into(), now_ms().into()],
    )
    .await?
    .ok_or(ApiError::Unauthenticated)?;
    Ok(Session {
        tenant_id: row.tenant_id,
    })
}

/// The store, if it belongs to the signed-in owner's tenant.
async fn owned_store(
    env: &Env,
    session: &Session,
    store_id: &str,
) -> std::result::Result<StoreRow, ApiError> {
    match store_row(env, store_id).await? {
        Some(store) if store.tenant_id == session.tenant_id => Ok(store),
        // Same answer as a missing store: another tenant's store ids are not revealed.
        _ => Err(ApiError::NotFound("that store".into())),
    }
}

async fn store_row(env: &Env, store_id: &str) -> std::result::Result<Option<StoreRow>, ApiError> {
    query_first(
        &d1(env)?,
        "SELECT id, tenant_id, settings FROM stores WHERE id = ?",
        &[store_id.into()],
    )
    .await
}

// ---------- plumbing ----------

fn demo_mode(env: &Env) -> bool {
    env.var("DEMO_MODE")
        .map(|v| v.to_string() == "on")
        .unwrap_or(false)
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

fn json_ok<T: Serialize>(value: &T) -> ApiResult {
    Response::from_json(value).map_err(internal)
}

async fn read_json<T: DeserializeOwned>(req: &mut Request) -> std::result::Result<T, ApiError> {
    read_json_limit(req, MAX_BODY).await
}

async fn read_json_limit<T: DeserializeOwned>(
    req: &mut Request,
    max: usize,
) -> std::result::Result<T, ApiError> {
    if let Ok(Some(len)) = req.headers().get("Content-Length") {
        if len.parse::<usize>().is_ok_and(|n| n > max) {
            return Err(ApiError::TooLarge(max));
        }
    }
    let text = req
        .text()
        .await
        .map_err(|_| ApiError::BadRequest("the request body could not be read".into()))?;
    if text.len() > max {
        return Err(ApiError::TooLarge(max));
    }
    Ok(serde_json::from_str(&text)?)
}

fn d1(env: &Env) -> std::result::Result<D1Database, ApiError> {
    env.d1("DB").map_err(internal)
}

async fn query_first<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[wasm_bindgen::JsValue],
) -> std::result::Result<Option<T>, ApiError> {
    db.prepare(sql)
        .bind(args)
        .map_err(internal)?
        .first::<T>(None)
        .await
        .map_err(internal)
}

async fn query_all<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[wasm_bindgen::JsValue],
) -> std::result::Result<Vec<T>, ApiError> {
    db.prepare(sql)
        .bind(args)
        .map_err(internal)?
        .all()
        .await
        .map_err(internal)?
        .results::<T>()
        .map_err(internal)
}

async fn exec(
    db: &D1Database,
    sql: &str,
    args: &[wasm_bindgen::JsValue],
) -> std::result::Result<(), ApiError> {
    db.prepare(sql)
        .bind(args)
        .map_err(internal)?
        .run()
        .await
        .map_err(internal)?;
    Ok(())
}

/// Send a request to the store's Durable Object (one per store, by name) and read its JSON answer.
async fn store_call<T: DeserializeOwned>(
    env: &Env,
    store_id: &str,
    request: &StoreRequest,
) -> std::result::Result<T, ApiError> {
    let stub = env
        .durable_object("STORE")
        .and_then(|ns| ns.id_from_name(store_id)?.get_stub())
        .map_err(internal)?;
    let body = serde_json::to_string(request).map_err(internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let req = Request::new_with_init("https://store/", &init).map_err(internal)?;
    let mut resp = stub.fetch_with_request(req).await.map_err(internal)?;
    if resp.status_code() != 200 {
        let text = resp.text().await.unwrap_or_default();
        return Err(ApiError::Internal(format!(
            "store object answered {}: {text}",
            resp.status_code()
        )));
    }
    resp.json().await.map_err(internal)
}

fn now_ms() -> f64 {
    Date::now().as_millis() as f64
}

fn crypto() -> std::result::Result<web_sys::Crypto, ApiError> {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"crypto".into())
        .map_err(|e| internal(format!("{e:?}")))
        .map(|c| c.unchecked_into())
}

fn random_bytes<const N: usize>() -> std::result::Result<[u8; N], ApiError> {
    let mut buf = [0u8; N];
    crypto()?
        .get_random_values_with_u8_array(&mut buf)
        .map_err(|e| internal(format!("{e:?}")))?;
    Ok(buf)
}

/// PBKDF2-HMAC-SHA256 in the runtime's WebCrypto (native speed, not wasm).
async fn pbkdf2_sha256(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> std::result::Result<Vec<u8>, ApiError> {
    let subtle = crypto()?.subtle();
    let js = |e: wasm_bindgen::JsValue| internal(format!("{e:?}"));
    let usages = js_sys::Array::of1(&"deriveBits".into());
    let key_data = js_sys::Uint8Array::from(password);
    let key = subtle
        .import_key_with_str("raw", &key_data, "PBKDF2", false, &usages)
        .map_err(js)?;
    let key: web_sys::CryptoKey = wasm_bindgen_futures::JsFuture::from(key)
        .await
        .map_err(js)?
        .unchecked_into();
    let salt = js_sys::Uint8Array::from(salt);
    let params = web_sys::Pbkdf2Params::new("PBKDF2", &"SHA-256".into(), iterations, &salt);
    let bits = subtle
        .derive_bits_with_object(&params, &key, 256)
        .map_err(js)?;
    let bits = wasm_bindgen_futures::JsFuture::from(bits)
        .await
        .map_err(js)?;
    Ok(js_sys::Uint8Array::new(&bits).to_vec())
}
