//! The OpenAPI document of the REST API, generated with utoipa.
//!
//! Schemas come from the Rust types (`ToSchema` derives on the `hechain-types` types, feature
//! `openapi`, and on the response types of [`crate::schema`]). Operations come from
//! [`crate::ROUTES`]: [`operation`] matches on [`Endpoint`] without a wildcard, so a new
//! endpoint does not compile until it says its parameters, request body and response types.

use utoipa::openapi::path::{Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HeaderBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, PathsBuilder,
    Ref, RefOr, Required, ResponseBuilder,
};
use utoipa::ToSchema;

use crate::schema as s;
use crate::{Endpoint, HttpMethod, ROUTES};
use hechain_types as t;

/// Schemas collected while building the operations.
pub(crate) type Schemas = Vec<(String, RefOr<Schema>)>;

/// A `$ref` to `T`'s schema, registering it (and what it refers to) in `c`.
pub(crate) fn reg<T: ToSchema>(c: &mut Schemas) -> RefOr<Schema> {
    c.push((T::name().into_owned(), T::schema()));
    T::schemas(c);
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

pub(crate) fn int(min: i64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
        .minimum(Some(min))
        .into()
}

fn param(name: &str, at: ParameterIn, required: bool, description: &str, schema: RefOr<Schema>) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required { Required::True } else { Required::False })
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn path_id(what: &str) -> Parameter {
    param("id", ParameterIn::Path, true, &format!("{what} id (decimal, from 1)."), int(1))
}

fn path_hash(c: &mut Schemas, what: &str) -> Parameter {
    param("hash", ParameterIn::Path, true, what, reg::<t::H256>(c))
}

fn path_address(c: &mut Schemas) -> Parameter {
    param("address", ParameterIn::Path, true, "Account address (20 bytes, 0x hex, any case).", reg::<t::Address>(c))
}

/// What one operation says besides its route.
struct Op {
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    params: Vec<Parameter>,
    body: Option<RefOr<Schema>>,
    ok: RefOr<Schema>,
    /// Error statuses besides 500.
    errors: &'static [u16],
}

const BAD: &[u16] = &[400];
const BAD_MISSING: &[u16] = &[400, 404];
const CERT: &[u16] = &[400, 404, 503];

fn op(
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    params: Vec<Parameter>,
    ok: RefOr<Schema>,
    errors: &'static [u16],
) -> Op {
    Op { id, tag, summary, params, body: None, ok, errors }
}

/// The operation of an endpoint. No wildcard arm: every [`Endpoint`] is documented.
fn operation(e: Endpoint, c: &mut Schemas) -> Op {
    use Endpoint as E;
    match e {
        E::Status => op("getStatus", "node", "Chain and node status", vec![], reg::<s::Status>(c), &[]),
        E::Genesis => op("getGenesis", "node", "The chain's genesis document", vec![], reg::<t::Genesis>(c), &[]),
        E::SubmitTransaction => Op {
            body: Some(reg::<s::SubmitRequest>(c)),
            ..op(
                "submitTransaction",
                "transactions",
                "Submit one signed transaction",
                vec![],
                reg::<s::SubmitResponse>(c),
                &[400, 413, 415, 503],
            )
        },
        E::SubmitBatch => Op {
            body: Some(reg::<s::BatchRequest>(c)),
            ..op(
                "submitBatch",
                "transactions",
                "Submit many raw transactions at once",
                vec![],
                reg::<s::BatchResponse>(c),
                &[400, 413, 415],
            )
        },
        E::Transaction => op(
            "getTransaction",
            "transactions",
            "A transaction, committed or pending",
            vec![path_hash(c, "Transaction hash.")],
            reg::<s::TransactionLookup>(c),
            BAD_MISSING,
        ),
        E::Receipt => op(
            "getReceipt",
            "transactions",
            "Receipt of a committed transaction",
            vec![path_hash(c, "Transaction hash.")],
            reg::<s::ReceiptWithLocation>(c),
            BAD_MISSING,
        ),
        E::Blocks => {
            let params = vec![
                param(
                    "before",
                    ParameterIn::Query,
                    false,
                    "List blocks below this height (default: from the head).",
                    int(0),
                ),
                param("limit", ParameterIn::Query, false, "Most blocks to list (default 20, at most 100).", int(1)),
            ];
            op("listBlocks", "blocks", "The newest blocks, as header summaries", params, reg::<s::BlockList>(c), BAD)
        }
        E::LatestBlock => op(
            "getLatestBlock",
            "blocks",
            "The newest committed block",
            vec![full_param()],
            reg::<s::BlockResponse>(c),
            BAD,
        ),
        E::Block => {
            let id = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^([0-9]+|0[xX][0-9a-fA-F]{64})$"));
            let id = param("id", ParameterIn::Path, true, "Decimal height or 0x block hash.", id.into());
            op(
                "getBlock",
                "blocks",
                "A block by height or hash",
                vec![id, full_param()],
                reg::<s::BlockResponse>(c),
                BAD_MISSING,
            )
        }
        E::Account => op(
            "getAccount",
            "accounts",
            "An account's nonce and balance",
            vec![path_address(c)],
            reg::<s::AccountView>(c),
            BAD,
        ),
        E::AccountTransactions => {
            let before = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[0-9]+(:[0-9]+)?$"));
            let params = vec![
                path_address(c),
                param(
                    "before",
                    ParameterIn::Query,
                    false,
                    "List transactions before this position: `HEIGHT:INDEX` (a page's `next_before`) or `HEIGHT` \
                     (before that block). Default: from the newest.",
                    before.into(),
                ),
                param(
                    "limit",
                    ParameterIn::Query,
                    false,
                    "Most transactions to list (default 20, at most 100).",
                    int(1),
                ),
            ];
            op(
                "listAccountTransactions",
                "accounts",
                "The transactions an account sent, newest first",
                params,
                reg::<s::AccountTxList>(c),
                BAD,
            )
        }
        E::EvidenceCertificate => op(
            "getEvidenceCertificate",
            "evidence",
            "Offline-verifiable certificate of an evidence record",
            vec![path_id("Evidence record")],
            reg::<s::EvidenceCertificateDoc>(c),
            CERT,
        ),
        E::StateProof => {
            let key = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^(0x)?([0-9a-fA-F]{2})+$"));
            let params = vec![
                param("key", ParameterIn::Query, true, "Raw state key, hex (non-empty).", key.into()),
                param(
                    "height",
                    ParameterIn::Query,
                    false,
                    "Height whose state root to prove under (default: head).",
                    int(0),
                ),
            ];
            op(
                "getStateProof",
                "state",
                "A raw state key's value and its state-tree proof",
                params,
                reg::<s::StateProof>(c),
                BAD_MISSING,
            )
        }
        E::Receipts => Op {
            body: Some(reg::<s::ReceiptsRequest>(c)),
            ..op(
                "getReceipts",
                "transactions",
                "Receipts of many transactions at once (null for one not committed)",
                vec![],
                reg::<s::Receipts>(c),
                &[400, 413, 415],
            )
        },
        E::StateProofs => Op {
            body: Some(reg::<s::StateProofsRequest>(c)),
            ..op(
                "getStateProofs",
                "state",
                "Values and state-tree proofs of many raw state keys under one height",
                vec![],
                reg::<s::StateProofs>(c),
                &[400, 404, 413, 415],
            )
        },
        E::BlockEvents => op(
            "streamBlockEvents",
            "blocks",
            "Server-sent events: one per committed block",
            vec![],
            reg::<s::BlockEvent>(c),
            &[],
        ),
        E::OpenApi => op("getOpenApi", "node", "This document", vec![], reg::<s::OpenApiDocument>(c), &[]),
    }
}

/// Longer explanations of some operations (optional, unlike the rest of [`operation`]).
fn description(e: Endpoint) -> Option<&'static str> {
    Some(match e {
        Endpoint::Genesis => {
            "The genesis as the node's `genesis.json` holds it. Offline certificate checks verify against it \
             (`hechain … verify-cert --rpc URL` fetches it once); its hash is the status's `genesis_hash`. A genesis \
             fetched from a node is only as trustworthy as that node: for an independent check, obtain the file \
             from the consortium and compare the hash."
        }
        Endpoint::SubmitTransaction => {
            "Admits the transaction to the node's pool after checking size, chain id, fee, payload, signature, \
             nonce, balance and duplicates. Refusals are 400 with the pool's code (`bad_signature`, \
             `wrong_chain_id`, `fee_too_low`, `nonce_too_low`, `nonce_gap_too_large`, `replacement_underpriced`, \
             `insufficient_balance`, `oversize`, `duplicate`, `invalid_payload`, or a service module's own code: \
             `evidence_exists`, `invoice_exists`, `invoice_reimbursed`, `trade_document_financed`); back-pressure \
             (`pool_full`, `sender_full`, `state_unavailable`) is 503 with `Retry-After: 1`."
        }
        Endpoint::SubmitBatch => {
            "Decodes every entry and admits all decodable ones in one pool call. The response has one result per \
             input, in order: a hash or an error (undecodable entries get `invalid_hex` or `invalid_transaction`, \
             refused ones the pool's code). Besides JSON, the body may be binary \
             (`Content-Type: application/octet-stream`): each transaction as a little-endian u32 length followed \
             by its canonical bytes; a truncated frame is `invalid_body`."
        }
        Endpoint::EvidenceCertificate => {
            "Bundles the record, its transaction and receipt with Merkle proofs, the block header and seal, the \
             validator-set changes since the genesis (`epochs`), and a state proof; verifiable with only the \
             genesis file. 503 `not_yet_certified` until the block is sealed."
        }
        Endpoint::StateProof => {
            "`value` is the key's current value; `proof` proves the value hash (or absence) the key had under the \
             state root of `height`. For a past height whose value has since changed, the proof covers the old \
             value hash, not the returned value."
        }
        Endpoint::StateProofs => {
            "What `GET /api/v1/state/proof` answers for one key, for up to the batch limit of keys at once \
             (413 `batch_too_large` beyond): cross-chain relayers prove every packet of a pass under one header \
             in one request."
        }
        Endpoint::BlockEvents => {
            "`event: block` with data `BlockEvent` for every committed block; a subscriber that falls behind gets \
             one `event: lagged` with `{\"missed\":N,\"message\":...}` and continues. Keep-alive comments are \
             sent every 15 s of silence."
        }
        _ => return None,
    })
}

fn full_param() -> Parameter {
    let b = ObjectBuilder::new().schema_type(Type::Boolean).default(Some(false.into()));
    param(
        "full",
        ParameterIn::Query,
        false,
        "`true` lists full transactions, `false` (default) their hashes.",
        b.into(),
    )
}

pub(crate) fn error_description(status: u16) -> &'static str {
    match status {
        400 => "Malformed input (or, for submissions, a refused transaction); `code` says why.",
        404 => "Not found.",
        413 => "Request body or batch larger than the limit.",
        415 => "The body is not typed `application/json` (or `application/octet-stream` for binary batches).",
        401 => "API tokens are configured on this node and the request carries none of them (`Authorization: Bearer`).",
        429 => "Too many requests from this address; retry after `Retry-After` seconds.",
        503 => "Not available yet or back-pressure; retry after `Retry-After` seconds.",
        _ => "Internal failure (storage); the message carries the error text.",
    }
}

fn build(method: HttpMethod, e: Endpoint, c: &mut Schemas) -> Operation {
    let o = operation(e, c);
    let error = reg::<s::ErrorBody>(c);
    let media = if e == Endpoint::BlockEvents { "text/event-stream" } else { "application/json" };
    let ok =
        ResponseBuilder::new().description("Success.").content(media, ContentBuilder::new().schema(Some(o.ok)).build());
    let mut b = OperationBuilder::new()
        .operation_id(Some(o.id))
        .summary(Some(o.summary))
        .description(description(e))
        .tag(o.tag)
        .parameters(Some(o.params))
        .response("200", ok.build());
    let has_body = o.body.is_some();
    if let Some(body) = o.body {
        let mut rb = RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content("application/json", ContentBuilder::new().schema(Some(body)).build());
        if e == Endpoint::SubmitBatch {
            let bin = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary)));
            rb = rb.content("application/octet-stream", ContentBuilder::new().schema(Some(bin)).build());
        }
        b = b.request_body(Some(rb.build()));
    }
    // A POST takes a body (submissions, and the batch reads of relayers); everything else is a GET.
    debug_assert!(method == HttpMethod::Get || has_body);
    for &status in o.errors.iter().chain(&[401, 429, 500]) {
        let mut r = ResponseBuilder::new()
            .description(error_description(status))
            .content("application/json", ContentBuilder::new().schema(Some(error.clone())).build());
        if status == 503 || status == 429 {
            r = r.header(
                "Retry-After",
                HeaderBuilder::new().schema(Schema::from(ObjectBuilder::new().schema_type(Type::Integer))).build(),
            );
        }
        b = b.response(status.to_string(), r.build());
    }
    b.build()
}

/// The OpenAPI document as utoipa's model: one operation per entry of [`ROUTES`].
pub fn openapi() -> OpenApi {
    let mut schemas = Schemas::new();
    let mut paths = PathsBuilder::new();
    for r in ROUTES {
        let method = match r.method {
            HttpMethod::Get => utoipa::openapi::HttpMethod::Get,
            HttpMethod::Post => utoipa::openapi::HttpMethod::Post,
        };
        paths = paths.path(r.path, PathItem::new(method, build(r.method, r.endpoint, &mut schemas)));
    }
    for r in crate::module_routes::module_routes() {
        let method = match r.method {
            hechain_module::api::Method::Get => utoipa::openapi::HttpMethod::Get,
        };
        let op = crate::module_routes::operation(&r, &mut schemas);
        paths = paths.path(r.path, PathItem::new(method, op));
    }
    let info = InfoBuilder::new()
        .title("hechain REST API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "REST API of a hechain node. JSON everywhere; bytes as 0x hex; 128-bit amounts as decimal strings. \
             Errors are `{\"error\":{\"code\":\"snake_case\",\"message\":\"...\"}}`: 400 malformed input or refused \
             transaction, 404 unknown route or object, 405 wrong method, 413 body or batch too large, 500 internal \
             failure, 503 back-pressure with Retry-After. Generated from the server's Rust types (utoipa).",
        ))
        .build();
    OpenApiBuilder::new()
        .info(info)
        .paths(paths.build())
        .components(Some(ComponentsBuilder::new().schemas_from_iter(schemas).build()))
        .build()
}

/// The document as JSON (served at `/api/v1/openapi.json`).
pub fn document() -> serde_json::Value {
    serde_json::to_value(openapi()).expect("the OpenAPI model serialises")
}
