//! The generated OpenAPI document: every route has an operation with a specific response
//! schema (and a request-body schema for POSTs), the document parses back as OpenAPI 3, and
//! real responses of a test node validate against their schemas (a small structural
//! validator: `$ref`, `type`, `properties`, `required`, `items`, `enum`, `oneOf`/`anyOf`/
//! `allOf`, `additionalProperties: false`; `pattern` not evaluated). `tests/api/run.sh` fuzzes the served document
//! with schemathesis on top of this.

use hechain_testkit as common;

use common::*;
use hechain_rpc::HttpMethod;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

fn schemas(doc: &Value) -> &Map<String, Value> {
    doc["components"]["schemas"].as_object().expect("components.schemas")
}

/// Follows `$ref`s to the schema they name.
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("non-local $ref {r}"));
            resolve(doc, schemas(doc).get(name).unwrap_or_else(|| panic!("dangling $ref {r}")))
        }
        None => s,
    }
}

/// Whether a schema says something: not `{}`, not a bare `{"type":"object"}`.
fn is_specific(doc: &Value, s: &Value) -> bool {
    let s = resolve(doc, s);
    let Some(m) = s.as_object() else { return false };
    if ["oneOf", "anyOf", "allOf", "enum", "items"].iter().any(|k| m.contains_key(*k)) {
        return true;
    }
    match m.get("type").and_then(Value::as_str) {
        Some("object") => m.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty()),
        Some(_) => true,
        None => false,
    }
}

fn success_schema<'a>(doc: &'a Value, method: HttpMethod, path: &str) -> &'a Value {
    let op = &doc["paths"][path][method.as_str().to_ascii_lowercase()];
    let content = op["responses"]["200"]["content"].as_object().unwrap_or_else(|| panic!("{path}: no 200 content"));
    let (_, media) = content.iter().next().expect("a media type");
    &media["schema"]
}

#[test]
fn every_route_has_specific_schemas() {
    let doc = hechain_rpc::openapi::document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    // Parses back into utoipa's OpenAPI model.
    let parsed: utoipa::openapi::OpenApi = serde_json::from_value(doc.clone()).expect("valid OpenAPI document");
    assert_eq!(parsed.paths.paths.len(), doc["paths"].as_object().unwrap().len());

    for r in hechain_rpc::served_routes() {
        let m = r.method.as_str();
        let op = &doc["paths"][r.path][m.to_ascii_lowercase()];
        assert!(op["operationId"].is_string(), "{m} {}: no operation", r.path);
        let ok = success_schema(&doc, r.method, r.path);
        assert!(is_specific(&doc, ok), "{m} {}: free-form success schema {ok}", r.path);
        let err = &op["responses"]["500"]["content"]["application/json"]["schema"];
        let err = resolve(&doc, err);
        assert_eq!(err["required"], json!(["error"]), "{m} {}: error schema {err}", r.path);
        if r.method == HttpMethod::Post {
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            assert!(is_specific(&doc, body), "{m} {}: free-form request body {body}", r.path);
        }
        for seg in r.path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(|c| c == '{' || c == '}');
            let params = op["parameters"].as_array().expect("parameters");
            assert!(params.iter().any(|p| p["name"] == name && p["in"] == "path"), "{}: {name} undocumented", r.path);
        }
    }
}

/// Every `allOf` part, in the whole document.
fn all_of_parts<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            if let Some(parts) = m.get("allOf").and_then(Value::as_array) {
                out.extend(parts);
            }
            m.values().for_each(|x| all_of_parts(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| all_of_parts(x, out)),
        _ => {}
    }
}

/// `allOf` with a part that forbids additional properties accepts nothing (the other parts'
/// properties are "additional" to it); schemathesis found this for flattened structs.
#[test]
fn no_unsatisfiable_all_of() {
    let doc = hechain_rpc::openapi::document();
    let mut parts = Vec::new();
    all_of_parts(&doc, &mut parts);
    for p in parts {
        let p = resolve(&doc, p);
        assert_ne!(p.get("additionalProperties"), Some(&Value::Bool(false)), "allOf part {p}");
    }
}

/// Checks `v` against schema `s`; returns the first mismatch as `path: why`.
fn validate(doc: &Value, s: &Value, v: &Value, at: &str) -> Result<(), String> {
    let s = resolve(doc, s);
    let Some(m) = s.as_object() else { return Ok(()) };
    if let Some(all) = m.get("allOf").and_then(Value::as_array) {
        for sub in all {
            validate(doc, sub, v, at)?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = m.get(key).and_then(Value::as_array) {
            let errs: Vec<String> = any.iter().filter_map(|sub| validate(doc, sub, v, at).err()).collect();
            if errs.len() == any.len() {
                return Err(format!("{at}: matches no {key} alternative: {errs:?}"));
            }
        }
    }
    if let Some(e) = m.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            return Err(format!("{at}: {v} not in {e:?}"));
        }
    }
    if let Some(t) = m.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "null" => v.is_null(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "string" => v.is_string(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            _ => true,
        });
        if !ok {
            return Err(format!("{at}: {v} is not {types:?}"));
        }
    }
    if let (Some(obj), Some(props)) = (v.as_object(), m.get("properties").and_then(Value::as_object)) {
        for req in m.get("required").and_then(Value::as_array).into_iter().flatten() {
            let k = req.as_str().unwrap();
            if !obj.contains_key(k) {
                return Err(format!("{at}: required {k} missing"));
            }
        }
        if m.get("additionalProperties") == Some(&Value::Bool(false)) {
            if let Some(k) = obj.keys().find(|k| !props.contains_key(*k)) {
                return Err(format!("{at}: property {k} not allowed"));
            }
        }
        for (k, sub) in props {
            if let Some(x) = obj.get(k) {
                validate(doc, sub, x, &format!("{at}.{k}"))?;
            }
        }
    }
    if let (Some(arr), Some(items)) = (v.as_array(), m.get("items")) {
        for (i, x) in arr.iter().enumerate() {
            validate(doc, items, x, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn check(doc: &Value, method: HttpMethod, path: &str, got: &(StatusCode, Value)) {
    assert_eq!(got.0, StatusCode::OK, "{path}: {}", got.1);
    let schema = success_schema(doc, method, path);
    if let Err(e) = validate(doc, schema, &got.1, "$") {
        panic!("{} {path}: response does not match its schema: {e}\n{}", method.as_str(), got.1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_responses_match_their_schemas() {
    let node = TestNode::start().await;
    let (s, doc) = node.get("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc, hechain_rpc::openapi::document());
    let get = HttpMethod::Get;

    // A pending transfer, then committed with an evidence record.
    let to = node.address(3);
    let tx = node.transfer(0, 0, to, 5);
    let got = node.post_json("/api/v1/transactions", &raw_body(&tx)).await;
    check(&doc, HttpMethod::Post, "/api/v1/transactions", &got);
    let hash = got.1["hash"].as_str().unwrap().to_string();
    check(&doc, get, "/api/v1/transactions/{hash}", &node.get(&format!("/api/v1/transactions/{hash}")).await);
    let batch = json!({ "raw": [raw_hex(&node.evidence(1, 0, b"doc", "t")), "0x00"] });
    check(
        &doc,
        HttpMethod::Post,
        "/api/v1/transactions/batch",
        &node.post_json("/api/v1/transactions/batch", &batch).await,
    );
    node.produce_block();

    let a = node.address(0);
    let samples = [
        ("/api/v1/status", "/api/v1/status".to_string()),
        ("/api/v1/genesis", "/api/v1/genesis".to_string()),
        ("/api/v1/transactions/{hash}", format!("/api/v1/transactions/{hash}")),
        ("/api/v1/receipts/{hash}", format!("/api/v1/receipts/{hash}")),
        ("/api/v1/blocks/latest", "/api/v1/blocks/latest".to_string()),
        ("/api/v1/blocks/{id}", "/api/v1/blocks/1?full=true".to_string()),
        ("/api/v1/blocks/{id}", "/api/v1/blocks/0".to_string()),
        ("/api/v1/accounts/{address}", format!("/api/v1/accounts/{a}")),
        ("/api/v1/evidence/{id}", "/api/v1/evidence/1".to_string()),
        ("/api/v1/evidence/by-submitter/{address}", format!("/api/v1/evidence/by-submitter/{}", node.address(1))),
        ("/api/v1/governance", "/api/v1/governance".to_string()),
        ("/api/v1/governance/proposals", "/api/v1/governance/proposals".to_string()),
        ("/api/v1/governance/accounts/{address}", format!("/api/v1/governance/accounts/{a}")),
        ("/api/v1/vouchers/by-holder/{address}", format!("/api/v1/vouchers/by-holder/{a}")),
        ("/api/v1/ecerts/by-issuer/{address}", format!("/api/v1/ecerts/by-issuer/{a}")),
        ("/api/v1/trace/by-producer/{address}", format!("/api/v1/trace/by-producer/{a}")),
        ("/api/v1/state/proof", "/api/v1/state/proof?key=0x01".to_string()),
        ("/api/v1/openapi.json", "/api/v1/openapi.json".to_string()),
    ];
    for (template, url) in samples {
        check(&doc, get, template, &node.get(&url).await);
    }
    // An error matches the error schema.
    let got = node.get("/api/v1/evidence/99").await;
    assert_eq!(got.0, StatusCode::NOT_FOUND);
    let err =
        &doc["paths"]["/api/v1/evidence/{id}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"];
    validate(&doc, err, &got.1, "$").unwrap();
}
