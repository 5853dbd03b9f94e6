//! The Worker: HTTP API under /api (the built till is served by Workers static assets on the
//! same origin). Each handler reads like the API table: parse → authorise → core / store
//! object → answer.

use crate::auth::{self, PasswordHash, PBKDF2_ITERATIONS, SESSION_COOKIE, SESSION_DAYS};
use crate::error::ApiError;
use crate::store_object::{
    DaySums, ExportRecords, PushOutcome, RejectedEvent, StaffEdit, StaffOutcome, StaffRow,
    StoreRequest, PULL_PAGE,
};
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

/// `(id, rest)` when `path` reads "{prefix}{id}/{rest}" (the id one non-empty segment).
fn sub_resource<'a>(path: &'a str, prefix: &str) -> Option<(&'a str, &'a str)> {
    let (id, rest) = path.strip_prefix(prefix)?.split_once('/')?;
    (!id.is_empty()).then_some((id, rest))
}

async fn route(req: Request, env: &Env) -> ApiResult {
    let path = req.path();
    let method = req.method();
    if let Some((id, rest)) = sub_resource(&path, "/api/v1/stores/") {
        let id = id.to_string();
        return match (method, rest) {
            (Method::Post, "pairing-codes") => create_pairing_code(req, env, &id).await,
            (Method::Get, "lanes") => store_lanes(req, env, &id).await,
            (Method::Get, "rejected") => rejected_events(req, env, &id).await,
            (Method::Get, "day") => store_day(req, env, &id).await,
            (Method::Get, "low-stock") => low_stock(req, env, &id).await,
            (Method::Get, "export/sales.csv") => {
                export_csv(req, env, &id, Export::SalesLines).await
            }
            (Method::Get, "export/journal.csv") => export_csv(req, env, &id, Export::Journal).await,
            (Method::Post, "rescue") => upload_rescue(req, env, &id).await,
            (Method::Get, "staff") => list_staff(req, env, &id).await,
            (Method::Post, "staff") => put_staff(req, env, &id).await,
            (Method::Post, "catalogue") => import_catalogue(req, env, &id).await,
            (method, _) => Err(ApiError::NotFound(format!("{method} {path}"))),
        };
    }
    if let Some((id, "revoke")) = sub_resource(&path, "/api/v1/lanes/") {
        if method == Method::Post {
            let id = id.to_string();
            return revoke_lane(req, env, &id).await;
        }
    }
    match (method, path.as_str()) {
        (Method::Get, "/api/health") => health(env),
        (Method::Post, "/api/v1/lanes/demo") => enrol_demo_lane(env).await,
        (Method::Post, "/api/v1/lanes/pair") => pair_lane(req, env).await,
        (Method::Get, "/api/v1/lane") => lane_info(req, env).await,
        (Method::Post, "/api/v1/sync/push") => push(req, env).await,
        (Method::Get, "/api/v1/sync/pull") => pull(req, env).await,
        (Method::Post, "/api/v1/auth/signup") => signup(req, env).await,
        (Method::Post, "/api/v1/auth/login") => login(req, env).await,
        (Method::Post, "/api/v1/auth/logout") => logout(req, env).await,
        (Method::Post, "/api/v1/auth/logout-everywhere") => logout_everywhere(req, env).await,
        (Method::Get, "/api/v1/stores") => list_stores(req, env).await,
        (Method::Post, "/api/v1/stores") => create_store(req, env).await,
        (Method::Get, "/api/v1/owner/today") => owner_today(req, env).await,
        (Method::Get, "/api/v1/owner/days") => owner_days(req, env).await,
        (method, _) => Err(ApiError::NotFound(format!("{method} {path}"))),
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
    #[derive(Deserialize)]
    struct Code {
        code: String,
    }
    // The next receipt prefix is counted and taken in one statement (D1 runs each statement
    // alone), so two tills pairing at the same moment never get the same "L3".
    let code = query_first::<Code>(
        &d1(env)?,
        "INSERT INTO lanes (id, tenant_id, store_id, code, token_hash, created_ms)
         SELECT ?1, ?2, ?3, 'L' || (COUNT(*) + 1), ?4, ?5 FROM lanes WHERE store_id = ?3
         RETURNING code",
        &[
            lane_id.into(),
            store.tenant_id.as_str().into(),
            store.id.as_str().into(),
            auth::sha256_hex(token.as_bytes()).into(),
            now_ms().into(),
        ],
    )
    .await?
    .ok_or_else(|| ApiError::Internal("a new lane was not stored".into()))?
    .code;
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
    let db = d1(env)?;
    let address_key = format!("pair:ip:{}", client_address(&req));
    attempts_allowed(&db, &address_key, auth::PAIRING_PER_ADDRESS).await?;
    let Some(code) = auth::normalise_pairing_code(&body.code) else {
        count_attempt(&db, &address_key, auth::PAIRING_PER_ADDRESS).await?;
        return Err(ApiError::BadPairingCode);
    };
    let lane_id = new_lane_id()?;
    #[derive(Deserialize)]
    struct Claimed {
        store_id: String,
    }
    let claimed = query_first::<Claimed>(
        &db,
        "UPDATE pairing_codes SET used_ms = ?, lane_id = ? WHERE code_hash = ? AND used_ms IS NULL AND expires_ms > ? RETURNING store_id",
        &[now_ms().into(), lane_id.as_str().into(), auth::sha256_hex(code.as_bytes()).into(), now_ms().into()],
    )
    .await?;
    let Some(claimed) = claimed else {
        count_attempt(&db, &address_key, auth::PAIRING_PER_ADDRESS).await?;
        return Err(ApiError::BadPairingCode);
    };
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
        /// When the lane last pulled, how many events it said were waiting, and its version.
        last_seen_ms: Option<f64>,
        unsynced: Option<f64>,
        app_version: Option<String>,
    }
    let lanes = query_all::<LaneRow>(
        &d1(env)?,
        "SELECT id, code, created_ms, revoked_ms, last_seen_ms, unsynced, app_version FROM lanes WHERE store_id = ? AND tenant_id = ? ORDER BY created_ms",
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
    // A lane that does not say speaks protocol 1 (the first lanes did not send it).
    let mut protocol = 1u16;
    let mut report = LaneReport::default();
    let whole = |v: &str, what: &str| {
        v.parse::<u64>()
            .map_err(|_| ApiError::BadRequest(format!("{what} must be a whole number")))
    };
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "cursor" => cursor = whole(&v, "cursor")?,
            "limit" => limit = whole(&v, "limit")? as usize,
            "protocol" => protocol = whole(&v, "protocol")?.min(u16::MAX as u64) as u16,
            "unsynced" => report.unsynced = Some(whole(&v, "unsynced")?.min(1 << 40) as i64),
            "app" => report.app_version = Some(v.chars().take(40).collect()),
            _ => {}
        }
    }
    let lane = authorise_lane(&req, env).await?;
    note_lane(env, &lane, &report).await?;
    let page: PullResponse = store_call(
        env,
        &lane.store.id,
        &StoreRequest::Pull {
            cursor,
            limit,
            protocol,
            settings: lane.store.settings()?,
        },
    )
    .await?;
    json_ok(&page)
}

/// What a lane says about itself when it pulls, for the owner's list of tills.
#[derive(Default)]
struct LaneReport {
    unsynced: Option<i64>,
    app_version: Option<String>,
}

/// Remember when a lane was last seen and what it reported. Written at most once a minute per
/// lane unless what it reports changed, so pulls every few seconds do not each write to D1.
async fn note_lane(
    env: &Env,
    lane: &Lane,
    report: &LaneReport,
) -> std::result::Result<(), ApiError> {
    let now = now_ms();
    let stale = lane.last_seen_ms.is_none_or(|t| now - t > 60_000.0);
    let changed = report.unsynced.is_some() && report.unsynced != lane.unsynced
        || report.app_version.is_some() && report.app_version != lane.app_version;
    if !stale && !changed {
        return Ok(());
    }
    let opt = |v: &Option<i64>| v.map_or(wasm_bindgen::JsValue::NULL, |n| (n as f64).into());
    exec(
        &d1(env)?,
        "UPDATE lanes SET last_seen_ms = ?, unsynced = COALESCE(?, unsynced), app_version = COALESCE(?, app_version) WHERE id = ?",
        &[
            now.into(),
            opt(&report.unsynced),
            report.app_version.as_deref().map_or(wasm_bindgen::JsValue::NULL, Into::into),
            lane.id.as_str().into(),
        ],
    )
    .await
}

#[derive(Deserialize)]
struct Login {
    email: String,
    password: String,
}

/// The address a request came from (Cloudflare sets it; locally there is none).
fn client_address(req: &Request) -> String {
    req.headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .unwrap_or_else(|| "local".into())
}

async fn login(mut req: Request, env: &Env) -> ApiResult {
    let body: Login = read_json(&mut req).await?;
    let db = d1(env)?;
    // Keyed by a hash of the lower-cased email, so the table holds no addresses in clear.
    let account_key = format!(
        "login:acct:{}",
        auth::sha256_hex(body.email.trim().to_lowercase().as_bytes())
    );
    let address_key = format!("login:ip:{}", client_address(&req));
    attempts_allowed(&db, &account_key, auth::LOGIN_PER_ACCOUNT).await?;
    attempts_allowed(&db, &address_key, auth::LOGIN_PER_ADDRESS).await?;
    #[derive(Deserialize)]
    struct OwnerRow {
        id: String,
        tenant_id: String,
        password_hash: String,
    }
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
        _ => {
            count_attempt(&db, &account_key, auth::LOGIN_PER_ACCOUNT).await?;
            count_attempt(&db, &address_key, auth::LOGIN_PER_ADDRESS).await?;
            return Err(ApiError::BadCredentials);
        }
    };
    exec(
        &db,
        "DELETE FROM attempts WHERE key = ?",
        &[account_key.into()],
    )
    .await?;
    start_session(&db, &owner.id, &owner.tenant_id, json!({ "ok": true })).await
}

/// A new session for an owner: a random token in an HttpOnly cookie, only its hash kept.
async fn start_session(
    db: &D1Database,
    owner_id: &str,
    tenant_id: &str,
    answer: serde_json::Value,
) -> ApiResult {
    let token = hex::encode(random_bytes::<32>()?);
    let expires = now_ms() + SESSION_DAYS as f64 * 86_400_000.0;
    exec(
        db,
        "INSERT INTO sessions (token_hash, owner_id, tenant_id, expires_ms) VALUES (?, ?, ?, ?)",
        &[
            auth::sha256_hex(token.as_bytes()).into(),
            owner_id.into(),
            tenant_id.into(),
            expires.into(),
        ],
    )
    .await?;
    let resp = json_ok(&answer)?;
    resp.headers()
        .set(
            "Set-Cookie",
            &auth::session_cookie(&token, SESSION_DAYS * 86_400),
        )
        .map_err(internal)?;
    Ok(resp)
}

/// Refuse another attempt while `key` has used up its `limit`.
async fn attempts_allowed(
    db: &D1Database,
    key: &str,
    limit: auth::Limit,
) -> std::result::Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Row {
        failures: f64,
        window_start_ms: f64,
    }
    let row = query_first::<Row>(
        db,
        "SELECT failures, window_start_ms FROM attempts WHERE key = ?",
        &[key.into()],
    )
    .await?;
    match row
        .and_then(|r| limit.wait_s(r.failures as i64, r.window_start_ms as i64, now_ms() as i64))
    {
        Some(s) => Err(ApiError::TooManyAttempts(s)),
        None => Ok(()),
    }
}

/// Count one attempt against `key`, starting a new window when the last one has passed.
async fn count_attempt(
    db: &D1Database,
    key: &str,
    limit: auth::Limit,
) -> std::result::Result<(), ApiError> {
    let now = now_ms();
    exec(
        db,
        "INSERT INTO attempts (key, window_start_ms, failures) VALUES (?1, ?2, 1)
         ON CONFLICT(key) DO UPDATE SET
           failures = CASE WHEN attempts.window_start_ms + ?3 <= ?2 THEN 1 ELSE attempts.failures + 1 END,
           window_start_ms = CASE WHEN attempts.window_start_ms + ?3 <= ?2 THEN ?2 ELSE attempts.window_start_ms END",
        &[key.into(), now.into(), (limit.window_ms as f64).into()],
    )
    .await
}

#[derive(Deserialize)]
struct Signup {
    email: String,
    password: String,
    /// The business (tenant) name, e.g. "Café Mori".
    business: String,
}

/// A new owner and their business (tenant), signed in at once. Stores come next.
async fn signup(mut req: Request, env: &Env) -> ApiResult {
    let body: Signup = read_json(&mut req).await?;
    let email = auth::email(&body.email)
        .ok_or_else(|| ApiError::BadRequest("that does not look like an email address".into()))?;
    if let Some(problem) = auth::password_problem(&body.password) {
        return Err(ApiError::BadRequest(problem.into()));
    }
    let business = body.business.trim();
    if business.is_empty() || business.chars().count() > 80 {
        return Err(ApiError::BadRequest(
            "give the business a name (at most 80 characters)".into(),
        ));
    }
    let db = d1(env)?;
    let address_key = format!("signup:ip:{}", client_address(&req));
    attempts_allowed(&db, &address_key, auth::SIGNUPS_PER_ADDRESS).await?;
    count_attempt(&db, &address_key, auth::SIGNUPS_PER_ADDRESS).await?;
    #[derive(Deserialize)]
    struct Id {
        #[allow(dead_code)]
        id: String,
    }
    if query_first::<Id>(
        &db,
        "SELECT id FROM owners WHERE email = ?",
        &[email.as_str().into()],
    )
    .await?
    .is_some()
    {
        return Err(ApiError::EmailTaken);
    }
    let salt = random_bytes::<16>()?;
    let hash = pbkdf2_sha256(body.password.as_bytes(), &salt, PBKDF2_ITERATIONS).await?;
    let verifier = PasswordHash {
        iterations: PBKDF2_ITERATIONS,
        salt: salt.to_vec(),
        hash,
    };
    let tenant_id = format!("t-{}", hex::encode(random_bytes::<8>()?));
    let owner_id = format!("o-{}", hex::encode(random_bytes::<8>()?));
    let now = now_ms();
    let statements = [
        db.prepare("INSERT INTO tenants (id, name, created_ms) VALUES (?, ?, ?)")
            .bind(&[tenant_id.as_str().into(), business.into(), now.into()]),
        db.prepare("INSERT INTO owners (id, tenant_id, email, password_hash, created_ms) VALUES (?, ?, ?, ?, ?)")
            .bind(&[owner_id.as_str().into(), tenant_id.as_str().into(), email.as_str().into(), verifier.to_string().into(), now.into()]),
    ]
    .into_iter()
    .collect::<Result<Vec<_>>>()
    .map_err(internal)?;
    // One batch is one transaction: never a tenant without its owner.
    db.batch(statements).await.map_err(|e| {
        if e.to_string().contains("UNIQUE") {
            ApiError::EmailTaken
        } else {
            internal(e)
        }
    })?;
    start_session(
        &db,
        &owner_id,
        &tenant_id,
        json!({ "ok": true, "tenant_id": tenant_id }),
    )
    .await
}

/// The answer to a sign-out: the browser's session cookie is cleared.
fn signed_out() -> ApiResult {
    let resp = json_ok(&json!({ "ok": true }))?;
    resp.headers()
        .set("Set-Cookie", &auth::session_cookie("", 0))
        .map_err(internal)?;
    Ok(resp)
}

/// Sign out of every browser: all of this owner's sessions end.
async fn logout_everywhere(req: Request, env: &Env) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    exec(
        &d1(env)?,
        "DELETE FROM sessions WHERE owner_id = ?",
        &[session.owner_id.as_str().into()],
    )
    .await?;
    signed_out()
}

/// The signed-in owner's stores.
async fn list_stores(req: Request, env: &Env) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let stores = query_all::<StoreRow>(
        &d1(env)?,
        "SELECT id, tenant_id, settings FROM stores WHERE tenant_id = ? ORDER BY created_ms, id",
        &[session.tenant_id.as_str().into()],
    )
    .await?;
    let out = stores
        .iter()
        .map(|s| s.settings())
        .collect::<std::result::Result<Vec<_>, _>>()?;
    json_ok(&json!({ "stores": out }))
}

/// Open a store for the signed-in owner's business.
async fn create_store(mut req: Request, env: &Env) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let body: till_core::store::NewStore = read_json(&mut req).await?;
    let id = format!("s-{}", hex::encode(random_bytes::<6>()?));
    let settings = body
        .settings(&id)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    exec(
        &d1(env)?,
        "INSERT INTO stores (id, tenant_id, settings, created_ms) VALUES (?, ?, ?, ?)",
        &[
            id.as_str().into(),
            session.tenant_id.as_str().into(),
            serde_json::to_string(&settings).map_err(internal)?.into(),
            now_ms().into(),
        ],
    )
    .await?;
    json_ok(&settings)
}

/// One business day of a store in detail (today unless `?day=YYYY-MM-DD`): totals, average
/// basket, the same weekday last week, hourly sales, payment mix, lanes and best sellers — all
/// from roll-ups kept as events arrive, never a scan of sales.
async fn store_day(req: Request, env: &Env, store_id: &str) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    let settings = store.settings()?;
    let url = req.url().map_err(internal)?;
    let day = match url.query_pairs().find(|(k, _)| k == "day") {
        Some((_, d)) => till_core::time::add_days(&d, 0)
            .ok_or_else(|| ApiError::BadRequest("day must be a date, YYYY-MM-DD".into()))?,
        None => till_core::time::business_day(now_ms() as i64, settings.utc_offset_minutes),
    };
    let db = d1(env)?;
    #[derive(Deserialize)]
    struct Totals {
        net_minor: f64,
        sales: f64,
    }
    let totals = |day: String| {
        let db = &db;
        let id = store.id.clone();
        async move {
            let row = query_first::<Totals>(
                db,
                "SELECT net_minor, sales FROM daily_sales WHERE store_id = ? AND business_day = ?",
                &[id.as_str().into(), day.as_str().into()],
            )
            .await?;
            Ok::<_, ApiError>(row.map_or((0, 0), |r| (r.net_minor as i64, r.sales as i64)))
        }
    };
    let money = |minor: i64| Money::from_minor(minor, settings.currency);
    let (net, sales) = totals(day.clone()).await?;
    let week_before = till_core::time::add_days(&day, -7)
        .ok_or_else(|| ApiError::Internal("a date did not step back a week".into()))?;
    let (before_net, before_sales) = totals(week_before.clone()).await?;
    let sums: DaySums = store_call(
        env,
        &store.id,
        &StoreRequest::DayDetail {
            business_day: day.clone(),
            currency: settings.currency,
            top: 10,
        },
    )
    .await?;
    #[derive(Deserialize)]
    struct Code {
        id: String,
        code: String,
    }
    let codes = query_all::<Code>(
        &db,
        "SELECT id, code FROM lanes WHERE store_id = ? AND tenant_id = ?",
        &[store.id.as_str().into(), session.tenant_id.as_str().into()],
    )
    .await?;
    let code_of = |lane_id: &str| {
        codes
            .iter()
            .find(|c| c.id == lane_id)
            .map_or_else(|| lane_id.to_string(), |c| c.code.clone())
    };
    let report = till_core::report::DayDetail {
        business_day: day,
        net: money(net),
        sales,
        average_basket: till_core::report::average_basket(money(net), sales),
        last_week: Some(till_core::report::Comparison {
            business_day: week_before,
            net: money(before_net),
            sales: before_sales,
            change_percent: till_core::report::change_percent(money(net), money(before_net)),
        }),
        hourly: sums.hourly,
        tenders: sums.tenders,
        lanes: sums
            .lanes
            .into_iter()
            .map(|(id, net, sales)| (code_of(&id), net, sales))
            .collect(),
        top: sums.top,
    };
    json_ok(&json!({ "store_id": store.id, "day": report }))
}

/// The store's low-stock list: what to reorder, at the last 14 days' rate of sale, to cover a
/// 2-day lead time and a week on the shelf.
async fn low_stock(req: Request, env: &Env, store_id: &str) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    let settings = store.settings()?;
    let items: Vec<till_core::stock::LowStock> = store_call(
        env,
        &store.id,
        &StoreRequest::LowStock {
            today: till_core::time::business_day(now_ms() as i64, settings.utc_offset_minutes),
            days: 14,
            lead_days: 2,
            cover_days: 7,
        },
    )
    .await?;
    json_ok(&json!({ "store_id": store.id, "items": items }))
}

/// Which CSV the owner downloads.
#[derive(Clone, Copy)]
enum Export {
    SalesLines,
    Journal,
}

/// Most records one export returns; more is refused with a message to export fewer days.
const MAX_EXPORT: usize = 20_000;

/// A CSV of a range of business days (`?from=&to=`, at most 92 days; today by default): every
/// sale and refund line, or the accounting journal.
async fn export_csv(req: Request, env: &Env, store_id: &str, kind: Export) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    let settings = store.settings()?;
    let url = req.url().map_err(internal)?;
    let today = till_core::time::business_day(now_ms() as i64, settings.utc_offset_minutes);
    let day = |name: &str| -> std::result::Result<String, ApiError> {
        match url.query_pairs().find(|(k, _)| k == name) {
            Some((_, d)) => till_core::time::add_days(&d, 0)
                .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a date, YYYY-MM-DD"))),
            None => Ok(today.clone()),
        }
    };
    let (from, to) = (day("from")?, day("to")?);
    let longest = till_core::time::add_days(&from, 91).unwrap_or_default();
    if to < from || to > longest {
        return Err(ApiError::BadRequest(
            "export from one day to a later one, at most 92 days".into(),
        ));
    }
    let records: ExportRecords = store_call(
        env,
        &store.id,
        &StoreRequest::Export {
            from: from.clone(),
            to: to.clone(),
            limit: MAX_EXPORT,
        },
    )
    .await?;
    if records.too_many {
        return Err(ApiError::BadRequest(format!(
            "more than {MAX_EXPORT} sales and refunds in that range: export fewer days at a time"
        )));
    }
    let (name, csv) = match kind {
        Export::SalesLines => (
            "sales",
            till_core::export::sales_lines_csv(&records.events, settings.utc_offset_minutes),
        ),
        Export::Journal => (
            "journal",
            till_core::export::journal_csv(
                &records.events,
                settings.tax.mode,
                &till_core::export::JournalAccounts::default(),
                |id| records.voided_sales.iter().find(|s| s.id == id).cloned(),
            )
            .map_err(internal)?,
        ),
    };
    let resp = Response::ok(csv).map_err(internal)?;
    let headers = resp.headers();
    headers
        .set("Content-Type", "text/csv; charset=utf-8")
        .map_err(internal)?;
    headers
        .set(
            "Content-Disposition",
            &format!(
                "attachment; filename=\"{}-{name}-{from}-{to}.csv\"",
                store.id
            ),
        )
        .map_err(internal)?;
    Ok(resp)
}

#[derive(Deserialize)]
struct StaffBody {
    /// Absent for a new member.
    #[serde(default)]
    id: Option<String>,
    name: String,
    role: till_core::staff::Role,
    #[serde(default = "yes")]
    active: bool,
    /// A new PIN (required for a new member); absent keeps the current one.
    #[serde(default)]
    pin: Option<String>,
}

fn yes() -> bool {
    true
}

async fn list_staff(req: Request, env: &Env, store_id: &str) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    let rows: Vec<StaffRow> = store_call(env, &store.id, &StoreRequest::ListStaff).await?;
    json_ok(&json!({ "store_id": store.id, "staff": rows }))
}

/// Add a member of staff or change one (name, role, PIN, deactivate). The PIN goes to the store
/// object only to become a verifier; lanes receive the verifier by sync and work offline.
async fn put_staff(mut req: Request, env: &Env, store_id: &str) -> ApiResult {
    let session = authorise_owner(&req, env).await?;
    let store = owned_store(env, &session, store_id).await?;
    let body: StaffBody = read_json(&mut req).await?;
    if body.role == till_core::staff::Role::Owner {
        return Err(ApiError::BadRequest(
            "staff are managers or cashiers; the owner signs in with their account".into(),
        ));
    }
    let id = match body.id {
        Some(id) if !id.is_empty() && id.len() <= 40 && !id.contains('/') => id,
        Some(_) => return Err(ApiError::BadRequest("that staff id is not valid".into())),
        None => format!("st-{}", hex::encode(random_bytes::<6>()?)),
    };
    let edit = StaffEdit {
        id,
        name: body.name,
        role: body.role,
        active: body.active,
        pin: body.pin,
        salt: random_bytes::<16>()?,
    };
    match store_call::<StaffOutcome>(env, &store.id, &StoreRequest::PutStaff(edit)).await? {
        StaffOutcome::Saved(row) => json_ok(&row),
        StaffOutcome::Refused(why) => Err(ApiError::BadRequest(why)),
    }
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
    signed_out()
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
    last_seen_ms: Option<f64>,
    unsynced: Option<i64>,
    app_version: Option<String>,
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
        last_seen_ms: Option<f64>,
        unsynced: Option<f64>,
        app_version: Option<String>,
    }
    let row = query_first::<Row>(
        &d1(env)?,
        "SELECT l.id, l.code, l.revoked_ms, s.id AS store_id, s.tenant_id, s.settings, l.last_seen_ms, l.unsynced, l.app_version
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
        last_seen_ms: row.last_seen_ms,
        unsynced: row.unsynced.map(|n| n as i64),
        app_version: row.app_version,
    })
}

struct Session {
    tenant_id: String,
    owner_id: String,
}

async fn authorise_owner(req: &Request, env: &Env) -> std::result::Result<Session, ApiError> {
    let header = req.headers().get("Cookie").map_err(internal)?;
    let token = auth::cookie(header.as_deref(), SESSION_COOKIE)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthenticated)?;
    #[derive(Deserialize)]
    struct Row {
        tenant_id: String,
        owner_id: String,
    }
    let row = query_first::<Row>(
        &d1(env)?,
        "SELECT tenant_id, owner_id FROM sessions WHERE token_hash = ? AND expires_ms > ?",
        &[auth::sha256_hex(token.as_bytes()).into(), now_ms().into()],
    )
    .await?
    .ok_or(ApiError::Unauthenticated)?;
    Ok(Session {
        tenant_id: row.tenant_id,
        owner_id: row.owner_id,
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
