//! The OpenAPI 3.0 document of the REST API, written by hand.
//!
//! It describes every entry of [`crate::ROUTES`] (a test checks that the two
//! agree), their parameters, request bodies, responses and error schemas.

use serde_json::{json, Map, Value};

use crate::{HttpMethod, ROUTES};

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": json_content(schema) })
}

fn error(description: &str) -> Value {
    json!({ "description": description, "content": json_content(schema_ref("Error")) })
}

fn path_param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
}

fn query_param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn hash_param(description: &str) -> Value {
    path_param("hash", description, schema_ref("Hash"))
}

fn address_param() -> Value {
    path_param("address", "Account address (20 bytes, 0x hex, any case).", schema_ref("Address"))
}

fn id_param() -> Value {
    path_param(
        "id",
        "Evidence record id (decimal, starting at 1).",
        json!({ "type": "integer", "format": "int64", "minimum": 1 }),
    )
}

fn code_param() -> Value {
    path_param(
        "code",
        "Item code (1-200 bytes, URL-encoded: a `/` in the code is `%2F`).",
        json!({ "type": "string", "minLength": 1, "maxLength": 200 }),
    )
}

fn batch_id_param() -> Value {
    path_param(
        "id",
        "Batch id (decimal, starting at 1).",
        json!({ "type": "integer", "format": "int64", "minimum": 1 }),
    )
}

/// A per-address paged list of traceability records.
fn trace_list(operation: &str, summary: &str, field: &str, schema: &str) -> Value {
    json!({
        "operationId": operation,
        "summary": summary,
        "tags": ["traceability"],
        "parameters": [
            address_param(),
            query_param("after", "Return records with ids after this one.", json!({ "type": "integer", "format": "int64" })),
            query_param("limit", "Page size, 1 to the server's max_page (default 100).", json!({ "type": "integer", "minimum": 1, "default": 100 })),
        ],
        "responses": with_errors(json!({ "200": ok("A page.", object(&[field, "next_after"], json!({
            field: { "type": "array", "items": schema_ref(schema) },
            "next_after": { "type": "integer", "nullable": true },
        }))) }), &[("400", "Malformed input; the message says what was wrong.")]),
    })
}

fn ecert_id_param() -> Value {
    path_param(
        "id",
        "Certificate, dataset or grant id (decimal, starting at 1).",
        json!({ "type": "integer", "format": "int64", "minimum": 1 }),
    )
}

fn at_param() -> Value {
    query_param(
        "at",
        "Time to check at, ms since the Unix epoch (default: the head block's time).",
        json!({ "type": "integer", "format": "int64" }),
    )
}

fn grantee_param() -> Value {
    json!({ "name": "grantee", "in": "query", "required": true, "description": "The organisation's account.", "schema": schema_ref("Address") })
}

fn after_param() -> Value {
    query_param(
        "after",
        "Return records with ids after this one (the previous page's `next_after`).",
        json!({ "type": "integer", "format": "int64" }),
    )
}

fn audit_after_param() -> Value {
    query_param(
        "after",
        "Return entries after this position (the previous page's `next_after`); from the first when absent.",
        json!({ "type": "integer", "format": "int64" }),
    )
}

fn limit_param() -> Value {
    query_param(
        "limit",
        "Page size, 1 to the server's max_page (default 100).",
        json!({ "type": "integer", "minimum": 1, "default": 100 }),
    )
}

fn full_param() -> Value {
    query_param(
        "full",
        "`true` lists full transaction objects, `false` (default) only their hashes.",
        json!({ "type": "boolean", "default": false }),
    )
}

/// Standard error responses every route can produce.
fn with_errors(mut responses: Value, extra: &[(&str, &str)]) -> Value {
    if let Value::Object(m) = &mut responses {
        for (status, desc) in extra {
            m.insert((*status).to_string(), error(desc));
        }
        m.insert("500".into(), error("Internal failure (storage); the message carries the error text."));
    }
    responses
}

fn operation(method: HttpMethod, path: &str) -> Value {
    let bad = ("400", "Malformed input; the message says what was wrong.");
    let missing = ("404", "Not found.");
    match (method, path) {
        (HttpMethod::Get, "/api/v1/status") => json!({
            "operationId": "getStatus",
            "summary": "Chain and node status",
            "tags": ["node"],
            "responses": with_errors(json!({ "200": ok("Status of the chain as this node sees it.", schema_ref("Status")) }), &[]),
        }),
        (HttpMethod::Get, "/api/v1/genesis") => json!({
            "operationId": "getGenesis",
            "summary": "The chain's genesis document",
            "description": "The genesis as the node's `genesis.json` holds it: chain id, suite, initial validators, \
                observers, organisations, accounts, parameters and governance. Offline certificate checks verify \
                against it (`hechain … verify-cert --rpc URL` fetches it once); its hash is the status's \
                `genesis_hash`. A genesis fetched from a node is only as trustworthy as that node: for an \
                independent check, obtain the file from the consortium and compare the hash.",
            "tags": ["node"],
            "responses": with_errors(json!({ "200": ok("The genesis document.", schema_ref("Genesis")) }), &[]),
        }),
        (HttpMethod::Post, "/api/v1/transactions") => json!({
            "operationId": "submitTransaction",
            "summary": "Submit one signed transaction",
            "description": "Admits the transaction to the node's pool after checking size, chain id, fee, payload, \
                signature, nonce, balance and duplicates. Refusals are 400 with the pool's code \
                (`bad_signature`, `wrong_chain_id`, `fee_too_low`, `nonce_too_low`, `nonce_gap_too_large`, \
                `nonce_already_pending`, `insufficient_balance`, `oversize`, `duplicate`, `invalid_payload`, \
                `evidence_exists`); back-pressure (`pool_full`, `sender_full`, `state_unavailable`) is 503 \
                with `Retry-After: 1`.",
            "tags": ["transactions"],
            "requestBody": { "required": true, "content": json_content(schema_ref("SubmitRequest")) },
            "responses": with_errors(json!({
                "200": ok("Admitted; the transaction hash.", schema_ref("SubmitResponse")),
                "503": {
                    "description": "The pool is full or state is unavailable; retry later.",
                    "headers": { "Retry-After": { "schema": { "type": "integer" }, "description": "Seconds to wait (1)." } },
                    "content": json_content(schema_ref("Error")),
                },
            }), &[
                ("400", "Malformed body, undecodable transaction, or the pool refused it (code says why)."),
                ("413", "Request body larger than the limit."),
            ]),
        }),
        (HttpMethod::Post, "/api/v1/transactions/batch") => json!({
            "operationId": "submitBatch",
            "summary": "Submit many raw transactions at once",
            "description": "Decodes every entry and admits all decodable ones in one pool call. The response has \
                one result per input, in order: a hash or an error (undecodable entries get `invalid_hex` or \
                `invalid_transaction`, refused ones the pool's code). Besides JSON, the body may be binary \
                (`Content-Type: application/octet-stream`): each transaction as a little-endian u32 length \
                followed by its canonical bytes; a truncated frame is `invalid_body`.",
            "tags": ["transactions"],
            "requestBody": { "required": true, "content": {
                "application/json": { "schema": schema_ref("BatchRequest") },
                "application/octet-stream": { "schema": { "type": "string", "format": "binary" } }
            } },
            "responses": with_errors(json!({ "200": ok("One result per input.", schema_ref("BatchResponse")) }), &[
                bad,
                ("413", "Body larger than the limit (`body_too_large`) or more transactions than the batch limit (`batch_too_large`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/transactions/{hash}") => json!({
            "operationId": "getTransaction",
            "summary": "A transaction, committed or pending",
            "tags": ["transactions"],
            "parameters": [hash_param("Transaction hash.")],
            "responses": with_errors(json!({ "200": ok("The transaction and where it is.", schema_ref("TransactionLookup")) }), &[
                bad, ("404", "Neither committed nor pending (`transaction_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/receipts/{hash}") => json!({
            "operationId": "getReceipt",
            "summary": "Receipt of a committed transaction",
            "tags": ["transactions"],
            "parameters": [hash_param("Transaction hash.")],
            "responses": with_errors(json!({ "200": ok("The receipt with its block position.", schema_ref("ReceiptWithLocation")) }), &[
                bad, ("404", "Not committed (`receipt_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/blocks/latest") => json!({
            "operationId": "getLatestBlock",
            "summary": "The newest committed block",
            "tags": ["blocks"],
            "parameters": [full_param()],
            "responses": with_errors(json!({ "200": ok("The block.", schema_ref("Block")) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/blocks/{id}") => json!({
            "operationId": "getBlock",
            "summary": "A block by height or hash",
            "tags": ["blocks"],
            "parameters": [
                path_param("id", "Decimal height, or 0x-prefixed 32-byte block hash.", json!({ "type": "string", "example": "12" })),
                full_param(),
            ],
            "responses": with_errors(json!({ "200": ok("The block.", schema_ref("Block")) }), &[
                bad, ("404", "No such block (`block_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/accounts/{address}") => json!({
            "operationId": "getAccount",
            "summary": "An account's nonce and balance",
            "tags": ["accounts"],
            "parameters": [address_param()],
            "responses": with_errors(json!({ "200": ok("The account (zero for unknown addresses).", schema_ref("Account")) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/evidence/{id}") => json!({
            "operationId": "getEvidence",
            "summary": "An evidence record by id",
            "tags": ["evidence"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The record.", schema_ref("EvidenceRecord")) }), &[
                bad, ("404", "No such record (`evidence_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/evidence/by-hash/{hash}") => json!({
            "operationId": "getEvidenceByHash",
            "summary": "An evidence record by content hash",
            "tags": ["evidence"],
            "parameters": [hash_param("Content hash (suite hash of the evidence content).")],
            "responses": with_errors(json!({ "200": ok("The record.", schema_ref("EvidenceRecord")) }), &[
                bad, ("404", "No record with this content hash (`evidence_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/evidence/by-submitter/{address}") => json!({
            "operationId": "listEvidenceBySubmitter",
            "summary": "Evidence records of one submitter, in id order, paged",
            "tags": ["evidence"],
            "parameters": [
                address_param(),
                query_param("after", "Return records with ids after this one (the previous page's `next_after`).", json!({ "type": "integer", "format": "int64" })),
                query_param("limit", "Page size, 1 to the server's max_page (default 100).", json!({ "type": "integer", "minimum": 1, "default": 100 })),
            ],
            "responses": with_errors(json!({ "200": ok("A page of records.", schema_ref("EvidencePage")) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/evidence/{id}/certificate") => json!({
            "operationId": "getEvidenceCertificate",
            "summary": "Offline-verifiable certificate of an evidence record",
            "description": "Bundles the record, its transaction and receipt with Merkle proofs, the block header and \
                seal, the validator-set changes since the genesis (`epochs`), and a state proof; verifiable with only \
                the genesis file.",
            "tags": ["evidence"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate.", schema_ref("EvidenceCertificate")) }), &[
                bad, ("404", "No such record (`evidence_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/copyright/works/{id}") => json!({
            "operationId": "getCopyrightWork",
            "summary": "A registered work by id",
            "tags": ["copyright"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The work.", schema_ref("CopyrightWork")) }), &[
                bad, ("404", "No such work (`work_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/copyright/works/by-hash/{hash}") => json!({
            "operationId": "getCopyrightWorkByHash",
            "summary": "A registered work by content hash",
            "tags": ["copyright"],
            "parameters": [hash_param("Content hash (suite hash of the work's content).")],
            "responses": with_errors(json!({ "200": ok("The work.", schema_ref("CopyrightWork")) }), &[
                bad, ("404", "No work with this content hash (`work_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/copyright/works/{id}/licenses") => json!({
            "operationId": "listCopyrightLicenses",
            "summary": "The licenses of a work, in grant order",
            "description": "Each license carries `in_force`: whether the head block's time is within its term.",
            "tags": ["copyright"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The licenses.", schema_ref("CopyrightLicenses")) }), &[
                bad, ("404", "No such work (`work_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/copyright/by-owner/{address}") => json!({
            "operationId": "listCopyrightWorksByOwner",
            "summary": "Works of one current owner, in id order, paged",
            "tags": ["copyright"],
            "parameters": [
                address_param(),
                query_param("after", "Return works with ids after this one (the previous page's `next_after`).", json!({ "type": "integer", "format": "int64" })),
                query_param("limit", "Page size, 1 to the server's max_page (default 100).", json!({ "type": "integer", "minimum": 1, "default": 100 })),
            ],
            "responses": with_errors(json!({ "200": ok("A page of works.", schema_ref("CopyrightWorkPage")) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/copyright/works/{id}/certificate") => json!({
            "operationId": "getCopyrightWorkCertificate",
            "summary": "Offline-verifiable certificate of a work's current record",
            "description": "Proves the work record (owner, registration and last transfer) in the state of the newest \
                block with a quorum seal; verifiable with only the genesis file. 503 `not_yet_certified` when the \
                record is newer than every certified block: retry shortly.",
            "tags": ["copyright"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate.", schema_ref("RecordCertificate")) }), &[
                bad, ("404", "No such work (`work_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/copyright/works/{id}/licenses/{index}/certificate") => json!({
            "operationId": "getCopyrightLicenseCertificate",
            "summary": "Offline-verifiable certificate of a license",
            "tags": ["copyright"],
            "parameters": [
                id_param(),
                path_param("index", "License index (0 for the first license of the work).", json!({ "type": "integer", "minimum": 0 })),
            ],
            "responses": with_errors(json!({ "200": ok("The certificate.", schema_ref("RecordCertificate")) }), &[
                bad, ("404", "No such license (`license_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/vouchers/{id}") => json!({
            "operationId": "getVoucher",
            "summary": "A receivable voucher and its live parts",
            "tags": ["vouchers"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The voucher and the parts holding its value.", schema_ref("VoucherWithParts")) }), &[
                bad, ("404", "No such voucher (`voucher_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/vouchers/parts/{id}") => json!({
            "operationId": "getVoucherPart",
            "summary": "A voucher part",
            "tags": ["vouchers"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The part.", schema_ref("VoucherPart")) }), &[
                bad, ("404", "No such part (`part_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/vouchers/parts/{id}/lineage") => json!({
            "operationId": "getVoucherLineage",
            "summary": "A part's lineage back to issuance",
            "description": "`lineage` starts with the part and walks up its parents to the part created at issuance.",
            "tags": ["vouchers"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The lineage.", schema_ref("VoucherLineage")) }), &[
                bad, ("404", "No such part (`part_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/vouchers/by-holder/{address}") => json!({
            "operationId": "listVoucherPartsByHolder",
            "summary": "Live parts (active or pledged) of one holder, paged",
            "tags": ["vouchers"],
            "parameters": [
                address_param(),
                query_param("after", "Return parts with ids after this one.", json!({ "type": "integer", "format": "int64" })),
                query_param("limit", "Page size, 1 to the server's max_page (default 100).", json!({ "type": "integer", "minimum": 1, "default": 100 })),
            ],
            "responses": with_errors(json!({ "200": ok("A page of parts.", object(&["parts", "next_after"], json!({
                "parts": { "type": "array", "items": schema_ref("VoucherPart") },
                "next_after": { "type": "integer", "nullable": true },
            }))) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/vouchers/by-issuer/{address}") => json!({
            "operationId": "listVouchersByIssuer",
            "summary": "Vouchers of one issuer, paged",
            "tags": ["vouchers"],
            "parameters": [
                address_param(),
                query_param("after", "Return vouchers with ids after this one.", json!({ "type": "integer", "format": "int64" })),
                query_param("limit", "Page size, 1 to the server's max_page (default 100).", json!({ "type": "integer", "minimum": 1, "default": 100 })),
            ],
            "responses": with_errors(json!({ "200": ok("A page of vouchers.", object(&["vouchers", "next_after"], json!({
                "vouchers": { "type": "array", "items": schema_ref("Voucher") },
                "next_after": { "type": "integer", "nullable": true },
            }))) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/vouchers/{id}/certificate") => json!({
            "operationId": "getVoucherCertificate",
            "summary": "Offline-verifiable certificate of a voucher record",
            "tags": ["vouchers"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate.", schema_ref("RecordCertificate")) }), &[
                bad, ("404", "No such voucher (`voucher_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/vouchers/parts/{id}/certificate") => json!({
            "operationId": "getVoucherPartCertificate",
            "summary": "Offline-verifiable certificate of a voucher part",
            "tags": ["vouchers"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate.", schema_ref("RecordCertificate")) }), &[
                bad, ("404", "No such part (`part_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/ecerts/{id}") => json!({
            "operationId": "getEcert",
            "summary": "An e-certificate (电子证照), whether it is valid now, and its audit log length",
            "description": "`valid`/`invalid_reason` are evaluated at the head block's time (`as_of_ms`). Field values \
                are never on chain: only their salted hashes.",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate and its status.", schema_ref("EcertStatus")) }), &[
                bad, ("404", "No such certificate (`ecert_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/ecerts/{id}/verify") => json!({
            "operationId": "verifyEcert",
            "summary": "Whether an e-certificate is valid (issued, not revoked, within its validity) at a time",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param(), at_param()],
            "responses": with_errors(json!({ "200": ok("The verdict.", schema_ref("EcertVerdict")) }), &[
                bad, ("404", "No such certificate (`ecert_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/ecerts/{id}/authorization") => json!({
            "operationId": "getEcertAuthorization",
            "summary": "Whether a grantee holds a grant on the e-certificate that is live at a time",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param(), grantee_param(), at_param()],
            "responses": with_errors(json!({ "200": ok("The verdict.", schema_ref("Authorization")) }), &[
                bad, ("404", "No such certificate (`ecert_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/ecerts/{id}/audit") => json!({
            "operationId": "listEcertAudit",
            "summary": "An e-certificate's audit log (issue, grants, uses, revocations), oldest first, paged",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param(), audit_after_param(), limit_param()],
            "responses": with_errors(json!({ "200": ok("A page of the log.", schema_ref("AuditPage")) }), &[
                bad, ("404", "No such certificate (`ecert_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/ecerts/by-holder/{address}") => json!({
            "operationId": "listEcertsByHolder",
            "summary": "E-certificates of one holder, in id order, paged",
            "tags": ["ecerts"],
            "parameters": [address_param(), after_param(), limit_param()],
            "responses": with_errors(json!({ "200": ok("A page of certificates.", schema_ref("EcertPage")) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/ecerts/by-issuer/{address}") => json!({
            "operationId": "listEcertsByIssuer",
            "summary": "E-certificates of one issuing agency, in id order, paged",
            "tags": ["ecerts"],
            "parameters": [address_param(), after_param(), limit_param()],
            "responses": with_errors(json!({ "200": ok("A page of certificates.", schema_ref("EcertPage")) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/ecerts/{id}/certificate") => json!({
            "operationId": "getEcertCertificate",
            "summary": "Offline-verifiable record certificate of an e-certificate",
            "description": "Proves the e-certificate record (issuer, holder, field hashes, validity, and `revoked` null \
                or set) in the state of the newest block with a quorum seal; verifiable with only the genesis file.",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate.", schema_ref("RecordCertificate")) }), &[
                bad, ("404", "No such certificate (`ecert_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/datasets/{id}") => json!({
            "operationId": "getDataset",
            "summary": "A registered dataset",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param()],
            "responses": with_errors(json!({ "200": ok("The dataset.", schema_ref("Dataset")) }), &[
                bad, ("404", "No such dataset (`dataset_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/datasets/{id}/authorization") => json!({
            "operationId": "getDatasetAuthorization",
            "summary": "Whether a grantee holds a grant on the dataset that is live at a time",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param(), grantee_param(), at_param()],
            "responses": with_errors(json!({ "200": ok("The verdict.", schema_ref("Authorization")) }), &[
                bad, ("404", "No such dataset (`dataset_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/datasets/{id}/audit") => json!({
            "operationId": "listDatasetAudit",
            "summary": "A dataset's audit log (registration, grants, uses), oldest first, paged",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param(), audit_after_param(), limit_param()],
            "responses": with_errors(json!({ "200": ok("A page of the log.", schema_ref("AuditPage")) }), &[
                bad, ("404", "No such dataset (`dataset_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/datasets/{id}/certificate") => json!({
            "operationId": "getDatasetCertificate",
            "summary": "Offline-verifiable record certificate of a dataset",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate.", schema_ref("RecordCertificate")) }), &[
                bad, ("404", "No such dataset (`dataset_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/data-grants/{id}") => json!({
            "operationId": "getDataGrant",
            "summary": "An access grant and whether it authorises use now",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param()],
            "responses": with_errors(json!({ "200": ok("The grant.", schema_ref("DataGrantStatus")) }), &[
                bad, ("404", "No such grant (`grant_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/data-grants/by-grantee/{address}") => json!({
            "operationId": "listDataGrantsByGrantee",
            "summary": "Grants to one organisation account, in id order, paged",
            "tags": ["ecerts"],
            "parameters": [address_param(), after_param(), limit_param()],
            "responses": with_errors(json!({ "200": ok("A page of grants.", object(&["grants", "next_after"], json!({
                "grants": { "type": "array", "items": schema_ref("DataGrant") },
                "next_after": { "type": "integer", "nullable": true },
            }))) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/data-grants/{id}/certificate") => json!({
            "operationId": "getDataGrantCertificate",
            "summary": "Offline-verifiable record certificate of a grant",
            "tags": ["ecerts"],
            "parameters": [ecert_id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate.", schema_ref("RecordCertificate")) }), &[
                bad, ("404", "No such grant (`grant_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/trace/items/{code}") => json!({
            "operationId": "getTraceItem",
            "summary": "An item's full verified history by its code (consumer query)",
            "description": "The item, its batch, whether the batch is recalled, the chain of custody (producer first, \
                current custodian last) and every event in order. The events are checked against the rolling hash the \
                item record commits to before the answer is sent (`history_verified`).",
            "tags": ["traceability"],
            "parameters": [code_param()],
            "responses": with_errors(json!({ "200": ok("The item's history.", schema_ref("TraceItemHistory")) }), &[
                ("400", "Malformed code (`invalid_code`)."), ("404", "No item has this code (`item_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/trace/items/{code}/certificate") => json!({
            "operationId": "getTraceItemCertificate",
            "summary": "Offline-verifiable certificate of an item, its whole history and its batch",
            "tags": ["traceability"],
            "parameters": [code_param()],
            "responses": with_errors(json!({ "200": ok("The certificate (kind `trace_item`).", schema_ref("RecordCertificate")) }), &[
                ("400", "Malformed code (`invalid_code`)."), ("404", "No item has this code (`item_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/trace/batches/{id}") => json!({
            "operationId": "getTraceBatch",
            "summary": "A product batch",
            "tags": ["traceability"],
            "parameters": [batch_id_param()],
            "responses": with_errors(json!({ "200": ok("The batch.", schema_ref("TraceBatch")) }), &[
                bad, ("404", "No such batch (`batch_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/trace/batches/{id}/items") => json!({
            "operationId": "listTraceBatchItems",
            "summary": "Items of a batch, paged in id order",
            "tags": ["traceability"],
            "parameters": [
                batch_id_param(),
                query_param("after", "Return items with ids after this one.", json!({ "type": "integer", "format": "int64" })),
                query_param("limit", "Page size, 1 to the server's max_page (default 100).", json!({ "type": "integer", "minimum": 1, "default": 100 })),
            ],
            "responses": with_errors(json!({ "200": ok("A page of items.", object(&["batch_id", "recalled", "items", "next_after"], json!({
                "batch_id": { "type": "integer" },
                "recalled": { "type": "boolean", "description": "Whether the batch (so every item in it) is recalled." },
                "items": { "type": "array", "items": schema_ref("TraceItem") },
                "next_after": { "type": "integer", "nullable": true },
            }))) }), &[bad, ("404", "No such batch (`batch_not_found`).")]),
        }),
        (HttpMethod::Get, "/api/v1/trace/batches/{id}/certificate") => json!({
            "operationId": "getTraceBatchCertificate",
            "summary": "Offline-verifiable certificate of a batch record",
            "tags": ["traceability"],
            "parameters": [batch_id_param()],
            "responses": with_errors(json!({ "200": ok("The certificate (kind `trace_batch`).", schema_ref("RecordCertificate")) }), &[
                bad, ("404", "No such batch (`batch_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/trace/by-producer/{address}") => {
            trace_list("listTraceBatchesByProducer", "Batches a producer registered, paged", "batches", "TraceBatch")
        }
        (HttpMethod::Get, "/api/v1/trace/by-custodian/{address}") => {
            trace_list("listTraceItemsByCustodian", "Items an account holds now, paged", "items", "TraceItem")
        }
        (HttpMethod::Get, "/api/v1/trace/pending/{address}") => trace_list(
            "listTracePendingItems",
            "Items offered to an account and not yet answered, paged",
            "items",
            "TraceItem",
        ),
        (HttpMethod::Get, "/api/v1/governance") => json!({
            "operationId": "getGovernance",
            "summary": "Governance settings, committee, permissions and chain parameters in force",
            "tags": ["governance"],
            "responses": with_errors(json!({ "200": ok("The rules in force at the head.", schema_ref("GovOverview")) }), &[]),
        }),
        (HttpMethod::Get, "/api/v1/governance/proposals") => json!({
            "operationId": "listProposals",
            "summary": "Governance proposals in id order, paged",
            "tags": ["governance"],
            "parameters": [
                query_param("after", "Return proposals with ids after this one.", json!({ "type": "integer", "format": "int64" })),
                query_param("limit", "Page size, 1 to the server's max_page (default 100).", json!({ "type": "integer", "minimum": 1, "default": 100 })),
            ],
            "responses": with_errors(json!({ "200": ok("A page of proposals.", object(&["proposals", "next_after"], json!({
                "proposals": { "type": "array", "items": schema_ref("Proposal") },
                "next_after": { "type": "integer", "nullable": true },
            }))) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/governance/proposals/{id}") => json!({
            "operationId": "getProposal",
            "summary": "A proposal, its state and every vote on it",
            "tags": ["governance"],
            "parameters": [id_param()],
            "responses": with_errors(json!({ "200": ok("The proposal.", object(&["proposal", "status", "votes"], json!({
                "proposal": schema_ref("Proposal"),
                "status": { "type": "string", "enum": ["open", "approved", "applied", "failed", "rejected", "expired"] },
                "votes": { "type": "array", "items": schema_ref("GovVote") },
            }))) }), &[bad, ("404", "No such proposal (`proposal_not_found`).")]),
        }),
        (HttpMethod::Get, "/api/v1/governance/accounts/{address}") => json!({
            "operationId": "getGovernanceAccount",
            "summary": "An account's roles, committee membership and freeze record",
            "tags": ["governance"],
            "parameters": [address_param()],
            "responses": with_errors(json!({ "200": ok("The account's standing.", object(&["address", "roles", "committee_member", "frozen"], json!({
                "address": schema_ref("Address"),
                "roles": { "type": "array", "items": schema_ref("Role") },
                "committee_member": { "allOf": [schema_ref("CommitteeMember")], "nullable": true },
                "frozen": { "allOf": [schema_ref("FreezeRecord")], "nullable": true },
            }))) }), &[bad]),
        }),
        (HttpMethod::Get, "/api/v1/state/proof") => json!({
            "operationId": "getStateProof",
            "summary": "A raw state key's value and its state-tree proof",
            "description": "`value` is the key's current value; `proof` proves the value hash (or absence) the key had \
                under the state root of `height`. For a past height whose value has since changed, the proof \
                covers the old value hash, not the returned value.",
            "tags": ["state"],
            "parameters": [
                { "name": "key", "in": "query", "required": true, "description": "Raw state key, hex (0x optional), non-empty.", "schema": schema_ref("HexBytes") },
                query_param("height", "Block height whose state root the proof is against (default: head).", json!({ "type": "integer", "format": "int64" })),
            ],
            "responses": with_errors(json!({ "200": ok("Value and proof.", schema_ref("StateProof")) }), &[
                bad, ("404", "Height above the head (`block_not_found`)."),
            ]),
        }),
        (HttpMethod::Get, "/api/v1/events/blocks") => json!({
            "operationId": "streamBlocks",
            "summary": "Server-sent events: one per committed block",
            "description": "`event: block` with data `BlockEvent` for every committed block; a subscriber that falls \
                behind gets one `event: lagged` with `{\"missed\":N,\"message\":...}` and continues. Keep-alive \
                comments are sent every 15 s of silence.",
            "tags": ["blocks"],
            "responses": with_errors(json!({
                "200": {
                    "description": "An event stream.",
                    "content": { "text/event-stream": { "schema": { "type": "string" } } },
                },
            }), &[]),
        }),
        (HttpMethod::Get, "/api/v1/openapi.json") => json!({
            "operationId": "getOpenApi",
            "summary": "This document",
            "tags": ["node"],
            "responses": { "200": ok("OpenAPI 3.0 document.", json!({ "type": "object" })) },
        }),
        (m, p) => json!({
            "summary": format!("{} {p}", m.as_str()),
            "responses": with_errors(json!({ "200": { "description": "OK" } }), &[missing]),
        }),
    }
}

fn hex_string(description: &str, pattern: &str) -> Value {
    json!({ "type": "string", "description": description, "pattern": pattern })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

fn schemas() -> Value {
    let int = json!({ "type": "integer", "format": "int64", "minimum": 0 });
    let mut s = Map::new();
    let mut add = |name: &str, v: Value| {
        s.insert(name.to_string(), v);
    };
    add(
        "Error",
        object(
            &["error"],
            json!({ "error": object(&["code", "message"], json!({
                "code": { "type": "string", "description": "Stable snake_case code.", "example": "nonce_too_low" },
                "message": { "type": "string", "description": "What went wrong, in a sentence." },
            })) }),
        ),
    );
    add("Hash", hex_string("32 bytes, 0x-prefixed lowercase hex.", "^0x[0-9a-fA-F]{64}$"));
    add("Address", hex_string("20 bytes, 0x-prefixed hex.", "^0x[0-9a-fA-F]{40}$"));
    add("HexBytes", hex_string("Bytes as hex, 0x-prefixed.", "^(0x)?([0-9a-fA-F]{2})*$"));
    add(
        "Amount",
        json!({ "type": "string", "description": "Unsigned 128-bit amount as a decimal string.", "pattern": "^[0-9]+$" }),
    );
    add(
        "Status",
        object(
            &[
                "chain_id",
                "suite",
                "genesis_hash",
                "height",
                "head_hash",
                "head_timestamp_ms",
                "state_root",
                "pending_txs",
                "min_fee",
                "validators",
                "epoch",
                "version",
            ],
            json!({
                "chain_id": int,
                "suite": { "type": "string", "enum": ["standard", "gm"] },
                "genesis_hash": schema_ref("Hash"),
                "height": int,
                "head_hash": schema_ref("Hash"),
                "head_timestamp_ms": int,
                "state_root": schema_ref("Hash"),
                "pending_txs": int,
                "min_fee": { "allOf": [int], "description": "Smallest fee a native transaction must offer now (a chain parameter)." },
                "validators": { "type": "array", "items": { "type": "string" }, "description": "Names of the validators in force, in index order." },
                "epoch": { "allOf": [int], "description": "Membership epoch: 0 at genesis, +1 with each validator-set change." },
                "version": { "type": "string", "description": "Node software version." },
            }),
        ),
    );
    add(
        "Genesis",
        json!({
            "type": "object",
            "description": "The genesis document (the format `hechain init` and `hechain dev` write to genesis.json).",
            "required": ["chain_id", "suite", "timestamp_ms", "validators", "accounts", "params"],
            "properties": {
                "chain_id": int,
                "suite": { "type": "string", "enum": ["standard", "gm"] },
                "timestamp_ms": int,
                "validators": { "type": "array", "items": { "type": "object" }, "description": "Initial validators: name, public key, organisation." },
                "observers": { "type": "array", "items": { "type": "object" } },
                "orgs": { "type": "array", "items": { "type": "object" }, "description": "Member organisations and their CA certificates." },
                "accounts": { "type": "array", "items": { "type": "object" }, "description": "Funded accounts." },
                "params": { "type": "object", "description": "Chain parameters at genesis." },
                "governance": { "type": "object", "description": "Committee, thresholds, roles and permissions at genesis." },
            },
        }),
    );
    add(
        "SubmitRequest",
        json!({
            "description": "Exactly one of `raw` and `transaction`. Unknown fields are refused.",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "raw": { "allOf": [schema_ref("HexBytes")], "description": "Hex of the canonical encoding of the signed transaction." },
                "transaction": schema_ref("SignedTransaction"),
            },
        }),
    );
    add("SubmitResponse", object(&["hash"], json!({ "hash": schema_ref("Hash") })));
    add(
        "BatchRequest",
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["raw"],
            "properties": { "raw": { "type": "array", "items": schema_ref("HexBytes"), "description": "Raw signed transactions (at most max_batch)." } },
        }),
    );
    add(
        "BatchResponse",
        object(
            &["accepted", "results"],
            json!({
                "accepted": int,
                "results": { "type": "array", "items": { "oneOf": [schema_ref("SubmitResponse"), schema_ref("Error")] } },
            }),
        ),
    );
    add(
        "Signature",
        json!({
            "type": "object",
            "required": ["scheme"],
            "properties": {
                "scheme": { "type": "string", "enum": ["secp256k1", "sm2"] },
                "sig": schema_ref("HexBytes"),
                "public_key": { "allOf": [schema_ref("HexBytes")], "description": "SM2 only: compressed public key." },
            },
        }),
    );
    add(
        "EvidenceMeta",
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "title": { "type": "string", "maxLength": 512 },
                "kind": { "type": "string", "maxLength": 512 },
                "owner": { "type": "string", "maxLength": 512 },
                "external_ref": { "type": "string", "maxLength": 512 },
            },
        }),
    );
    let trace_payloads = trace_payload_schemas(&int);
    add(
        "Payload",
        json!({
            "oneOf": [
                object(&["type", "to", "amount"], json!({
                    "type": { "type": "string", "enum": ["transfer"] },
                    "to": schema_ref("Address"),
                    "amount": schema_ref("Amount"),
                })),
                object(&["type", "content_hash"], json!({
                    "type": { "type": "string", "enum": ["evidence_put"] },
                    "content_hash": schema_ref("Hash"),
                    "meta": schema_ref("EvidenceMeta"),
                })),
                object(&["type", "content_hash", "title", "work_type", "author"], json!({
                    "type": { "type": "string", "enum": ["copyright_register"] },
                    "content_hash": schema_ref("Hash"),
                    "title": { "type": "string", "minLength": 1, "maxLength": 256 },
                    "work_type": { "type": "string", "minLength": 1, "maxLength": 64 },
                    "author": { "type": "string", "minLength": 1, "maxLength": 256 },
                })),
                object(&["type", "work_id", "to"], json!({
                    "type": { "type": "string", "enum": ["copyright_transfer"] },
                    "work_id": int,
                    "to": schema_ref("Address"),
                })),
                object(&["type", "work_id", "licensee", "exclusive", "start_ms", "end_ms", "territory"], json!({
                    "type": { "type": "string", "enum": ["copyright_license"] },
                    "work_id": int,
                    "licensee": schema_ref("Address"),
                    "exclusive": { "type": "boolean" },
                    "start_ms": int,
                    "end_ms": { "allOf": [int], "description": "Exclusive; after start_ms and after the block time." },
                    "territory": { "type": "string", "minLength": 1, "maxLength": 64, "description": "e.g. CN, or worldwide (overlaps every territory)." },
                })),
                object(&["type", "holder", "amount", "maturity_ms", "reference"], json!({
                    "type": { "type": "string", "enum": ["voucher_issue"] },
                    "holder": schema_ref("Address"), "amount": schema_ref("Amount"),
                    "maturity_ms": int, "reference": schema_ref("Hash"),
                })),
                object(&["type", "part_id", "outputs"], json!({
                    "type": { "type": "string", "enum": ["voucher_split"] },
                    "part_id": int,
                    "outputs": { "type": "array", "minItems": 1, "maxItems": 16, "items": object(&["to", "amount"], json!({
                        "to": schema_ref("Address"), "amount": schema_ref("Amount"),
                    })) },
                })),
                object(&["type", "part_id", "bank"], json!({
                    "type": { "type": "string", "enum": ["voucher_pledge"] }, "part_id": int, "bank": schema_ref("Address"),
                })),
                object(&["type", "part_id"], json!({ "type": { "type": "string", "enum": ["voucher_release"] }, "part_id": int })),
                object(&["type", "voucher_id"], json!({ "type": { "type": "string", "enum": ["voucher_settle"] }, "voucher_id": int })),
                object(&["type", "cert_type", "holder", "fields", "encrypted_ref", "not_before_ms", "not_after_ms"], json!({
                    "type": { "type": "string", "enum": ["ecert_issue"] },
                    "cert_type": { "type": "string", "minLength": 1, "maxLength": 64 },
                    "holder": schema_ref("Address"),
                    "fields": { "type": "array", "minItems": 1, "maxItems": 32, "items": schema_ref("FieldCommitment") },
                    "encrypted_ref": { "allOf": [schema_ref("HexBytes")], "description": "1 to 1,024 bytes of ciphertext." },
                    "not_before_ms": int,
                    "not_after_ms": { "allOf": [int], "description": "Exclusive; after not_before_ms and after the block time." },
                })),
                object(&["type", "cert_id", "reason"], json!({
                    "type": { "type": "string", "enum": ["ecert_revoke"] }, "cert_id": int,
                    "reason": { "type": "string", "minLength": 1, "maxLength": 256 },
                })),
                object(&["type", "content_hash", "encrypted_ref", "description"], json!({
                    "type": { "type": "string", "enum": ["dataset_register"] }, "content_hash": schema_ref("Hash"),
                    "encrypted_ref": schema_ref("HexBytes"), "description": { "type": "string", "minLength": 1, "maxLength": 256 },
                })),
                object(&["type", "subject", "grantee", "org", "purpose", "expires_ms"], json!({
                    "type": { "type": "string", "enum": ["data_grant"] }, "subject": schema_ref("Subject"),
                    "grantee": schema_ref("Address"), "org": { "type": "string", "minLength": 1, "maxLength": 64 },
                    "purpose": { "type": "string", "minLength": 1, "maxLength": 256 }, "expires_ms": int,
                })),
                object(&["type", "grant_id"], json!({ "type": { "type": "string", "enum": ["data_grant_revoke"] }, "grant_id": int })),
                object(&["type", "grant_id", "purpose", "request_hash"], json!({
                    "type": { "type": "string", "enum": ["data_access"] }, "grant_id": int,
                    "purpose": { "type": "string", "minLength": 1, "maxLength": 256 }, "request_hash": schema_ref("Hash"),
                })),
                trace_payloads[0].clone(), trace_payloads[1].clone(), trace_payloads[2].clone(), trace_payloads[3].clone(),
                trace_payloads[4].clone(), trace_payloads[5].clone(), trace_payloads[6].clone(), trace_payloads[7].clone(),
                trace_payloads[8].clone(), trace_payloads[9].clone(),
                object(&["type", "action"], json!({
                    "type": { "type": "string", "enum": ["gov_propose"] }, "action": schema_ref("GovAction"),
                    "description": { "type": "string", "maxLength": 1024 },
                })),
                object(&["type", "proposal", "approve"], json!({
                    "type": { "type": "string", "enum": ["gov_vote"] }, "proposal": int, "approve": { "type": "boolean" },
                })),
            ],
            "discriminator": { "propertyName": "type" },
        }),
    );
    add(
        "Transaction",
        object(
            &["chain_id", "nonce", "sender", "fee", "payload"],
            json!({
                "chain_id": int, "nonce": int, "sender": schema_ref("Address"), "fee": int, "payload": schema_ref("Payload"),
            }),
        ),
    );
    add(
        "SignedTransaction",
        object(&["tx", "signature"], json!({ "tx": schema_ref("Transaction"), "signature": schema_ref("Signature") })),
    );
    add(
        "BlockTransaction",
        object(
            &["hash", "tx", "signature"],
            json!({ "hash": schema_ref("Hash"), "tx": schema_ref("Transaction"), "signature": schema_ref("Signature") }),
        ),
    );
    add(
        "TransactionLookup",
        object(
            &["hash", "status"],
            json!({
                "hash": schema_ref("Hash"),
                "status": { "type": "string", "enum": ["committed", "pending"] },
                "height": { "allOf": [int], "description": "Committed only." },
                "index": { "type": "integer", "description": "Committed only: position in the block." },
                "block_hash": { "allOf": [schema_ref("Hash")], "description": "Committed only." },
                "transaction": { "allOf": [schema_ref("SignedTransaction")], "description": "Committed only." },
            }),
        ),
    );
    add(
        "Event",
        json!({
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": { "type": "string", "enum": ["transfer", "evidence_stored", "copyright_registered", "copyright_transferred", "copyright_licensed", "voucher_issued", "voucher_split", "voucher_pledged", "voucher_released", "voucher_settled", "ecert_issued", "ecert_revoked", "dataset_registered", "data_granted", "data_grant_revoked", "data_accessed", "trace_batch_registered", "trace_items_registered", "trace_event_appended", "trace_authorized", "trace_revoked", "trace_handover_offered", "trace_handover_closed", "trace_batch_recalled", "gov_proposed", "gov_voted", "gov_approved", "gov_rejected"] },
                "from": schema_ref("Address"), "to": schema_ref("Address"), "amount": schema_ref("Amount"),
                "id": int, "content_hash": schema_ref("Hash"), "submitter": schema_ref("Address"), "meta": schema_ref("EvidenceMeta"),
                "owner": schema_ref("Address"), "index": int, "licensee": schema_ref("Address"), "exclusive": { "type": "boolean" },
                "issuer": schema_ref("Address"), "holder": schema_ref("Address"), "part": int, "voucher": int, "bank": schema_ref("Address"),
                "children": { "type": "array", "items": int }, "paid": schema_ref("Amount"), "parts": int,
                "grant": int, "subject": schema_ref("Subject"), "grantee": schema_ref("Address"), "expires_ms": int, "seq": int,
                "batch": int, "producer": schema_ref("Address"), "first_item": int, "count": int, "item": { "type": "integer", "nullable": true },
                "author": schema_ref("Address"), "account": schema_ref("Address"),
                "outcome": { "type": "string", "enum": ["accepted", "rejected", "cancelled"] },
                "proposer": schema_ref("Address"), "action": { "type": "string" }, "deadline_ms": int, "proposal": int,
                "voter": schema_ref("Address"), "approve": { "type": "boolean" }, "weight": int,
            },
        }),
    );
    add(
        "ReceiptWithLocation",
        object(
            &["tx_hash", "status", "fee_charged", "events", "height", "index", "block_hash"],
            json!({
                "tx_hash": schema_ref("Hash"),
                "status": { "type": "string", "enum": ["success", "failed"] },
                "reason": { "type": "string", "description": "Failed only: why." },
                "fee_charged": int,
                "events": { "type": "array", "items": schema_ref("Event") },
                "height": int,
                "index": int,
                "block_hash": schema_ref("Hash"),
            }),
        ),
    );
    add(
        "BlockHeader",
        object(
            &[
                "version",
                "chain_id",
                "height",
                "parent_hash",
                "timestamp_ms",
                "proposer",
                "tx_root",
                "receipts_root",
                "state_root",
                "tx_count",
            ],
            json!({
                "version": int, "chain_id": int, "height": int, "parent_hash": schema_ref("Hash"), "timestamp_ms": int,
                "proposer": int, "tx_root": schema_ref("Hash"), "receipts_root": schema_ref("Hash"),
                "state_root": schema_ref("Hash"), "tx_count": int,
            }),
        ),
    );
    add(
        "Seal",
        object(
            &["signatures"],
            json!({ "signatures": { "type": "array", "items": object(&["validator", "signature"], json!({
                "validator": int, "signature": schema_ref("HexBytes"),
            })) } }),
        ),
    );
    add(
        "Block",
        object(
            &["hash", "header", "seal", "transactions"],
            json!({
                "hash": schema_ref("Hash"),
                "header": schema_ref("BlockHeader"),
                "seal": schema_ref("Seal"),
                "transactions": {
                    "type": "array",
                    "description": "Transaction hashes, or full transactions with `full=true`.",
                    "items": { "oneOf": [schema_ref("Hash"), schema_ref("BlockTransaction")] },
                },
            }),
        ),
    );
    add(
        "Account",
        object(
            &["address", "nonce", "balance", "pending_nonce"],
            json!({
                "address": schema_ref("Address"),
                "nonce": { "allOf": [int], "description": "Next committed nonce." },
                "balance": schema_ref("Amount"),
                "pending_nonce": { "allOf": [int], "description": "Next nonce counting this node's pending transactions." },
            }),
        ),
    );
    add(
        "EvidenceRecord",
        object(
            &["id", "content_hash", "meta", "submitter", "tx_hash", "height", "timestamp_ms"],
            json!({
                "id": int, "content_hash": schema_ref("Hash"), "meta": schema_ref("EvidenceMeta"),
                "submitter": schema_ref("Address"), "tx_hash": schema_ref("Hash"), "height": int, "timestamp_ms": int,
            }),
        ),
    );
    add(
        "EvidencePage",
        object(
            &["records", "next_after"],
            json!({
                "records": { "type": "array", "items": schema_ref("EvidenceRecord") },
                "next_after": { "type": "integer", "nullable": true, "description": "Pass as `after` for the next page; null on the last page." },
            }),
        ),
    );
    add(
        "MerkleProof",
        object(
            &["index", "count", "siblings"],
            json!({ "index": int, "count": int, "siblings": { "type": "array", "items": schema_ref("Hash") } }),
        ),
    );
    add(
        "SmtProof",
        object(
            &["siblings", "leaf"],
            json!({
                "siblings": { "type": "array", "items": schema_ref("Hash"), "description": "From the root downward." },
                "leaf": {
                    "type": "array", "nullable": true, "minItems": 2, "maxItems": 2, "items": schema_ref("Hash"),
                    "description": "[key hash, value hash] of the leaf at the end of the path, or null for an empty subtree.",
                },
            }),
        ),
    );
    add(
        "EvidenceCertificate",
        object(
            &[
                "format",
                "chain_id",
                "suite",
                "genesis_hash",
                "record",
                "transaction",
                "tx_proof",
                "receipt",
                "receipt_proof",
                "header",
                "seal",
                "epochs",
                "state_proof",
            ],
            json!({
                "format": { "type": "string", "enum": ["hechain-evidence-certificate/2"] },
                "chain_id": int,
                "suite": { "type": "string", "enum": ["standard", "gm"] },
                "genesis_hash": schema_ref("Hash"),
                "record": schema_ref("EvidenceRecord"),
                "transaction": schema_ref("SignedTransaction"),
                "tx_proof": schema_ref("MerkleProof"),
                "receipt": { "type": "object", "description": "The transaction's receipt." },
                "receipt_proof": schema_ref("MerkleProof"),
                "header": schema_ref("BlockHeader"),
                "seal": schema_ref("Seal"),
                "epochs": schema_ref("EpochProof"),
                "state_proof": schema_ref("SmtProof"),
            }),
        ),
    );
    add(
        "Membership",
        object(
            &["epoch", "start_height", "orgs", "validators", "observers"],
            json!({
                "epoch": int,
                "start_height": { "allOf": [int], "description": "Height of the epoch's first block." },
                "orgs": { "type": "array", "items": object(&["name", "ca_cert_pem"], json!({
                    "name": { "type": "string" }, "ca_cert_pem": { "type": "string" },
                })) },
                "validators": { "type": "array", "items": schema_ref("NodeInfo"), "description": "In index order (the index a seal signature names)." },
                "observers": { "type": "array", "items": schema_ref("NodeInfo") },
            }),
        ),
    );
    add(
        "NodeInfo",
        object(
            &["name", "public_key"],
            json!({ "name": { "type": "string" }, "public_key": schema_ref("HexBytes"), "org": { "type": "string" } }),
        ),
    );
    add(
        "EpochProof",
        object(
            &["changes", "next_membership", "next_proof"],
            json!({
                "changes": {
                    "type": "array",
                    "description": "Every validator-set change from the genesis to the certified block, in order: the last block of each epoch, sealed by that epoch's set, with the next epoch's membership proven in its state (key `gov/epoch/<n>`). Empty while the validators never changed.",
                    "items": object(&["header", "seal", "membership", "membership_proof"], json!({
                        "header": schema_ref("BlockHeader"), "seal": schema_ref("Seal"),
                        "membership": schema_ref("Membership"), "membership_proof": schema_ref("SmtProof"),
                    })),
                },
                "next_membership": {
                    "allOf": [schema_ref("Membership")], "nullable": true,
                    "description": "When the certified block itself ends its epoch: the next epoch's membership.",
                },
                "next_proof": {
                    "allOf": [schema_ref("SmtProof")],
                    "description": "Proof under the certified block's state root that the next epoch's record is absent (or is `next_membership`): the block belongs to the epoch the changes reach.",
                },
            }),
        ),
    );
    add(
        "Stamp",
        object(
            &["tx_hash", "height", "timestamp_ms"],
            json!({ "tx_hash": schema_ref("Hash"), "height": int, "timestamp_ms": int }),
        ),
    );
    add(
        "CopyrightWork",
        object(
            &[
                "id",
                "content_hash",
                "title",
                "work_type",
                "author",
                "registrant",
                "owner",
                "registered",
                "updated",
                "transfers",
                "licenses",
            ],
            json!({
                "id": int, "content_hash": schema_ref("Hash"), "title": { "type": "string" },
                "work_type": { "type": "string" }, "author": { "type": "string" },
                "registrant": schema_ref("Address"), "owner": schema_ref("Address"),
                "registered": schema_ref("Stamp"),
                "updated": { "allOf": [schema_ref("Stamp")], "description": "Last change of owner (the registration until the first transfer)." },
                "transfers": int, "licenses": { "allOf": [int], "description": "Number of licenses granted (indexes 0..licenses)." },
            }),
        ),
    );
    add(
        "CopyrightLicense",
        object(
            &["work_id", "index", "licensor", "licensee", "exclusive", "start_ms", "end_ms", "territory", "granted"],
            json!({
                "work_id": int, "index": int, "licensor": schema_ref("Address"), "licensee": schema_ref("Address"),
                "exclusive": { "type": "boolean" }, "start_ms": int, "end_ms": int, "territory": { "type": "string" },
                "granted": schema_ref("Stamp"),
                "in_force": { "type": "boolean", "description": "Listing only: the head block's time is within the term." },
            }),
        ),
    );
    add(
        "CopyrightLicenses",
        object(
            &["work_id", "owner", "as_of_ms", "licenses"],
            json!({
                "work_id": int, "owner": schema_ref("Address"),
                "as_of_ms": { "allOf": [int], "description": "Head block time `in_force` is evaluated at." },
                "licenses": { "type": "array", "items": schema_ref("CopyrightLicense") },
            }),
        ),
    );
    add(
        "CopyrightWorkPage",
        object(
            &["works", "next_after"],
            json!({
                "works": { "type": "array", "items": schema_ref("CopyrightWork") },
                "next_after": { "type": "integer", "nullable": true, "description": "Pass as `after` for the next page; null on the last page." },
            }),
        ),
    );
    add(
        "RecordCertificate",
        object(
            &[
                "format",
                "chain_id",
                "suite",
                "genesis_hash",
                "kind",
                "record",
                "header",
                "seal",
                "epochs",
                "state_proof",
            ],
            json!({
                "format": { "type": "string", "enum": ["hechain-record-certificate/2"] },
                "chain_id": int,
                "suite": { "type": "string", "enum": ["standard", "gm"] },
                "genesis_hash": schema_ref("Hash"),
                "kind": { "type": "string", "enum": ["copyright_work", "copyright_license", "voucher", "voucher_part", "trace_batch", "trace_item", "ecert", "dataset", "data_grant"] },
                "record": { "oneOf": [schema_ref("CopyrightWork"), schema_ref("CopyrightLicense"), schema_ref("Voucher"), schema_ref("VoucherPart"), schema_ref("TraceBatch"), schema_ref("TraceItemRecordWithHistory"), schema_ref("Ecert"), schema_ref("Dataset"), schema_ref("DataGrant")] },
                "header": schema_ref("BlockHeader"),
                "seal": schema_ref("Seal"),
                "epochs": schema_ref("EpochProof"),
                "state_proof": schema_ref("SmtProof"),
                "related_proofs": { "type": "array", "items": schema_ref("SmtProof"), "description": "trace_item only: proof of the carried batch under the same state root." },
            }),
        ),
    );
    add_trace_schemas(&mut add, &int);
    add(
        "Voucher",
        object(
            &["id", "issuer", "amount", "maturity_ms", "reference", "issued", "settled", "live_parts"],
            json!({
                "id": int, "issuer": schema_ref("Address"), "amount": schema_ref("Amount"), "maturity_ms": int,
                "reference": schema_ref("Hash"), "issued": schema_ref("Stamp"),
                "settled": { "allOf": [schema_ref("Stamp")], "nullable": true },
                "live_parts": { "type": "array", "items": int, "description": "Parts holding value; their amounts sum to `amount` until settlement." },
            }),
        ),
    );
    add(
        "VoucherPart",
        object(
            &["id", "voucher_id", "parent", "holder", "amount", "status", "created", "closed", "children"],
            json!({
                "id": int, "voucher_id": int, "parent": { "type": "integer", "nullable": true },
                "holder": schema_ref("Address"), "amount": schema_ref("Amount"),
                "status": { "type": "object", "required": ["state"], "properties": {
                    "state": { "type": "string", "enum": ["active", "pledged", "spent", "settled"] },
                    "bank": schema_ref("Address"), "paid_to": schema_ref("Address"),
                } },
                "created": schema_ref("Stamp"), "closed": { "allOf": [schema_ref("Stamp")], "nullable": true },
                "children": { "type": "array", "items": int },
            }),
        ),
    );
    add(
        "VoucherWithParts",
        object(
            &["voucher", "live_parts"],
            json!({
                "voucher": schema_ref("Voucher"), "live_parts": { "type": "array", "items": schema_ref("VoucherPart") },
            }),
        ),
    );
    add(
        "VoucherLineage",
        object(
            &["part_id", "voucher", "lineage"],
            json!({
                "part_id": int, "voucher": schema_ref("Voucher"), "lineage": { "type": "array", "items": schema_ref("VoucherPart") },
            }),
        ),
    );
    add(
        "Subject",
        object(&["kind", "id"], json!({ "kind": { "type": "string", "enum": ["certificate", "dataset"] }, "id": int })),
    );
    add(
        "FieldCommitment",
        object(
            &["name", "hash"],
            json!({
                "name": { "type": "string", "minLength": 1, "maxLength": 64 },
                "hash": { "allOf": [schema_ref("Hash")], "description": "H(\"hechain/ecert-field/v1\" ‖ salt(32) ‖ u32be(len(name)) ‖ name ‖ value), the chain's suite hash." },
            }),
        ),
    );
    add(
        "Ecert",
        object(
            &[
                "id",
                "cert_type",
                "issuer",
                "holder",
                "fields",
                "encrypted_ref",
                "not_before_ms",
                "not_after_ms",
                "issued",
                "revoked",
            ],
            json!({
                "id": int, "cert_type": { "type": "string" }, "issuer": schema_ref("Address"), "holder": schema_ref("Address"),
                "fields": { "type": "array", "items": schema_ref("FieldCommitment") },
                "encrypted_ref": schema_ref("HexBytes"), "not_before_ms": int, "not_after_ms": int,
                "issued": schema_ref("Stamp"),
                "revoked": { "type": "object", "nullable": true, "required": ["stamp", "reason"], "properties": {
                    "stamp": schema_ref("Stamp"), "reason": { "type": "string" },
                } },
            }),
        ),
    );
    add(
        "EcertStatus",
        object(
            &["certificate", "as_of_ms", "valid", "invalid_reason", "audit_entries"],
            json!({
                "certificate": schema_ref("Ecert"), "as_of_ms": int, "valid": { "type": "boolean" },
                "invalid_reason": { "type": "string", "nullable": true }, "audit_entries": int,
            }),
        ),
    );
    add(
        "EcertVerdict",
        object(
            &[
                "id",
                "at_ms",
                "valid",
                "reason",
                "cert_type",
                "issuer",
                "holder",
                "not_before_ms",
                "not_after_ms",
                "revoked",
                "height",
            ],
            json!({
                "id": int, "at_ms": int, "valid": { "type": "boolean" }, "reason": { "type": "string", "nullable": true },
                "cert_type": { "type": "string" }, "issuer": schema_ref("Address"), "holder": schema_ref("Address"),
                "not_before_ms": int, "not_after_ms": int, "revoked": { "type": "object", "nullable": true },
                "height": { "allOf": [int], "description": "Head height the answer was read at." },
            }),
        ),
    );
    add(
        "EcertPage",
        object(
            &["certificates", "next_after"],
            json!({
                "certificates": { "type": "array", "items": schema_ref("Ecert") },
                "next_after": { "type": "integer", "nullable": true },
            }),
        ),
    );
    add(
        "Dataset",
        object(
            &["id", "holder", "content_hash", "encrypted_ref", "description", "registered"],
            json!({
                "id": int, "holder": schema_ref("Address"), "content_hash": schema_ref("Hash"),
                "encrypted_ref": schema_ref("HexBytes"), "description": { "type": "string" }, "registered": schema_ref("Stamp"),
            }),
        ),
    );
    add(
        "DataGrant",
        object(
            &["id", "subject", "grantor", "grantee", "org", "purpose", "expires_ms", "granted", "revoked"],
            json!({
                "id": int, "subject": schema_ref("Subject"), "grantor": schema_ref("Address"), "grantee": schema_ref("Address"),
                "org": { "type": "string" }, "purpose": { "type": "string" }, "expires_ms": int, "granted": schema_ref("Stamp"),
                "revoked": { "allOf": [schema_ref("Stamp")], "nullable": true },
            }),
        ),
    );
    add(
        "DataGrantStatus",
        object(
            &["grant", "as_of_ms", "live", "reason"],
            json!({
                "grant": schema_ref("DataGrant"), "as_of_ms": int, "live": { "type": "boolean" },
                "reason": { "type": "string", "nullable": true },
            }),
        ),
    );
    add(
        "Authorization",
        object(
            &["subject", "grantee", "at_ms", "authorized", "grant_id", "reason", "height"],
            json!({
                "subject": schema_ref("Subject"), "grantee": schema_ref("Address"), "at_ms": int,
                "authorized": { "type": "boolean" },
                "grant_id": { "type": "integer", "nullable": true, "description": "The first grant that authorises use at `at_ms`." },
                "reason": { "type": "string", "nullable": true, "description": "Why not, when not authorized." },
                "height": int,
            }),
        ),
    );
    add(
        "AuditEntry",
        object(
            &["subject", "seq", "actor", "action", "stamp"],
            json!({
                "subject": schema_ref("Subject"), "seq": int, "actor": schema_ref("Address"),
                "action": { "type": "string", "enum": ["issued", "registered", "revoked", "granted", "grant_revoked", "accessed"] },
                "reason": { "type": "string" }, "grant_id": int, "grantee": schema_ref("Address"), "org": { "type": "string" },
                "expires_ms": int, "purpose": { "type": "string" }, "request_hash": schema_ref("Hash"),
                "stamp": schema_ref("Stamp"),
            }),
        ),
    );
    add(
        "AuditPage",
        object(
            &["subject", "total", "entries", "next_after"],
            json!({
                "subject": schema_ref("Subject"), "total": int,
                "entries": { "type": "array", "items": schema_ref("AuditEntry") },
                "next_after": { "type": "integer", "nullable": true, "description": "Pass as `after` for the next page; null on the last page." },
            }),
        ),
    );
    add(
        "StateProof",
        object(
            &["key", "key_hash", "height", "state_root", "value", "proof"],
            json!({
                "key": schema_ref("HexBytes"),
                "key_hash": { "allOf": [schema_ref("Hash")], "description": "Suite hash of the key: its path in the state tree." },
                "height": int,
                "state_root": schema_ref("Hash"),
                "value": { "type": "string", "nullable": true, "description": "Current value (hex), or null if absent." },
                "proof": schema_ref("SmtProof"),
            }),
        ),
    );
    add("Role", json!({ "type": "string", "enum": ["org_admin", "operator", "deployer", "user"] }));
    add(
        "Access",
        json!({
            "type": "object", "required": ["access"],
            "properties": {
                "access": { "type": "string", "enum": ["open", "roles"] },
                "roles": { "type": "array", "items": schema_ref("Role"), "description": "With `roles`: any of them admits (committee members always)." },
            },
        }),
    );
    add(
        "Permissions",
        object(
            &[],
            json!({
                "send": schema_ref("Access"), "deploy": schema_ref("Access"),
                "modules": { "type": "array", "items": object(&["module", "access"], json!({
                    "module": { "type": "string", "enum": ["transfer", "evidence", "copyright", "voucher", "ecert", "governance"] },
                    "access": schema_ref("Access"),
                })) },
            }),
        ),
    );
    add(
        "CommitteeMember",
        object(
            &["address", "weight"],
            json!({ "address": schema_ref("Address"), "weight": int, "org": { "type": "string" } }),
        ),
    );
    add(
        "GovConfig",
        object(
            &["threshold_bps", "voting_period_ms"],
            json!({
                "threshold_bps": { "type": "integer", "minimum": 5001, "maximum": 10000 },
                "voting_period_ms": int,
            }),
        ),
    );
    add(
        "ChainParams",
        json!({ "type": "object", "description": "Chain parameters (max_block_txs, max_tx_bytes, min_fee, block_gas_limit, max_tx_gas, base_fee_per_gas, fee_recipient, max_code_size, deploy, consensus_timeout_ms); see docs/operations.md." }),
    );
    add(
        "GovAction",
        json!({
            "type": "object", "required": ["action"],
            "properties": {
                "action": { "type": "string", "enum": ["grant_role", "revoke_role", "set_committee_member", "freeze", "unfreeze", "set_params", "set_permissions", "set_config", "add_org", "remove_org", "add_validator", "remove_validator", "add_observer", "remove_observer"] },
                "name": { "type": "string", "maxLength": 64, "description": "remove_org / remove_validator / remove_observer: the name." },
                "node": schema_ref("NodeInfo"),
                "org": { "description": "set_committee_member: the organisation label (string); add_org: the organisation `{name, ca_cert_pem}`." },
                "account": schema_ref("Address"), "role": schema_ref("Role"), "weight": int,
                "reason": { "type": "string", "maxLength": 1024 }, "params": schema_ref("ChainParams"),
                "permissions": schema_ref("Permissions"), "config": schema_ref("GovConfig"),
            },
        }),
    );
    add(
        "Proposal",
        object(
            &[
                "id",
                "proposer",
                "action",
                "description",
                "created",
                "deadline_ms",
                "threshold_bps",
                "electorate",
                "total_weight",
                "yes_weight",
                "no_weight",
                "votes",
                "status",
            ],
            json!({
                "id": int, "proposer": schema_ref("Address"), "action": schema_ref("GovAction"), "description": { "type": "string" },
                "created": schema_ref("Stamp"), "deadline_ms": int, "threshold_bps": int,
                "electorate": { "type": "array", "items": schema_ref("CommitteeMember"), "description": "The committee when it was proposed: who votes, with which weight." },
                "total_weight": int,
                "yes_weight": int, "no_weight": int, "votes": int,
                "status": { "type": "object", "required": ["state"], "properties": {
                    "state": { "type": "string", "enum": ["open", "approved", "applied", "failed", "rejected", "expired"] },
                    "at": schema_ref("Stamp"), "reason": { "type": "string" }, "height": int, "timestamp_ms": int,
                } },
            }),
        ),
    );
    add(
        "GovVote",
        object(
            &["proposal", "voter", "approve", "weight", "at"],
            json!({
                "proposal": int, "voter": schema_ref("Address"), "approve": { "type": "boolean" }, "weight": int, "at": schema_ref("Stamp"),
            }),
        ),
    );
    add(
        "FreezeRecord",
        object(
            &["account", "proposal", "reason", "at"],
            json!({
                "account": schema_ref("Address"), "proposal": int, "reason": { "type": "string" }, "at": schema_ref("Stamp"),
            }),
        ),
    );
    add(
        "GovOverview",
        object(
            &[
                "height",
                "config",
                "committee",
                "permissions",
                "params",
                "membership",
                "open_proposals",
                "next_proposal_id",
            ],
            json!({
                "height": int,
                "config": { "allOf": [schema_ref("GovConfig")], "nullable": true, "description": "null: the chain has no governance." },
                "committee": { "type": "array", "items": schema_ref("CommitteeMember") },
                "permissions": schema_ref("Permissions"), "params": schema_ref("ChainParams"),
                "membership": schema_ref("Membership"),
                "open_proposals": { "type": "array", "items": int }, "next_proposal_id": int,
            }),
        ),
    );
    add(
        "BlockEvent",
        object(
            &["height", "hash", "tx_count", "timestamp_ms", "state_root"],
            json!({ "height": int, "hash": schema_ref("Hash"), "tx_count": int, "timestamp_ms": int, "state_root": schema_ref("Hash") }),
        ),
    );
    Value::Object(s)
}

/// The OpenAPI 3.0 document: one path item per entry of [`ROUTES`].
pub fn document() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let item = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        if let Value::Object(m) = item {
            m.insert(r.method.as_str().to_ascii_lowercase(), operation(r.method, r.path));
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "hechain REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "REST API of a hechain node. JSON everywhere; bytes as 0x hex; 128-bit amounts as decimal \
                strings. Errors are `{\"error\":{\"code\":\"snake_case\",\"message\":\"...\"}}`: 400 malformed input \
                or refused transaction, 404 unknown route or object, 405 wrong method, 413 body or batch too \
                large, 500 internal failure, 503 back-pressure with Retry-After.",
        },
        "paths": paths,
        "components": { "schemas": schemas() },
    })
}

/// Request schemas of the ten traceability payloads, in `Payload` order.
fn trace_payload_schemas(int: &Value) -> Vec<Value> {
    let tag = |t: &str| json!({ "type": "string", "enum": [t] });
    let codes = json!({ "type": "array", "minItems": 1, "maxItems": 256, "items": { "type": "string", "minLength": 1, "maxLength": 200 } });
    let target = json!({ "oneOf": [
        object(&["scope", "batch_id"], json!({ "scope": tag("batch"), "batch_id": int })),
        object(&["scope", "code"], json!({ "scope": tag("item"), "code": { "type": "string" } })),
    ] });
    vec![
        object(
            &["type", "product", "producer_label", "attributes"],
            json!({
                "type": tag("trace_batch"),
                "product": { "type": "string", "minLength": 1, "maxLength": 256 },
                "producer_label": { "type": "string", "minLength": 1, "maxLength": 256 },
                "attributes": schema_ref("Hash"),
                "metadata": { "type": "string", "maxLength": 1024 },
                "codes": { "type": "array", "maxItems": 256, "items": { "type": "string", "minLength": 1, "maxLength": 200 } },
            }),
        ),
        object(
            &["type", "batch_id", "codes"],
            json!({ "type": tag("trace_add_items"), "batch_id": int, "codes": codes }),
        ),
        object(
            &["type", "codes", "stage", "event_time_ms"],
            json!({
                "type": tag("trace_event"), "codes": codes,
                "stage": { "type": "string", "minLength": 1, "maxLength": 64 },
                "location": { "type": "string", "maxLength": 256 },
                "event_time_ms": { "allOf": [int], "description": "At most 5 minutes after the block time." },
                "attachments": { "type": "array", "maxItems": 16, "items": schema_ref("Hash") },
                "note": { "type": "string", "maxLength": 1024 },
            }),
        ),
        object(
            &["type", "target", "account"],
            json!({ "type": tag("trace_authorize"), "target": target, "account": schema_ref("Address") }),
        ),
        object(
            &["type", "target", "account"],
            json!({ "type": tag("trace_revoke"), "target": target, "account": schema_ref("Address") }),
        ),
        object(
            &["type", "codes", "to"],
            json!({ "type": tag("trace_handover"), "codes": codes, "to": schema_ref("Address") }),
        ),
        object(&["type", "codes"], json!({ "type": tag("trace_accept"), "codes": codes })),
        object(&["type", "codes"], json!({ "type": tag("trace_reject"), "codes": codes })),
        object(&["type", "codes"], json!({ "type": tag("trace_cancel"), "codes": codes })),
        object(
            &["type", "batch_id", "reason"],
            json!({
                "type": tag("trace_recall"), "batch_id": int, "reason": { "type": "string", "minLength": 1, "maxLength": 1024 },
            }),
        ),
    ]
}

/// Response schemas of the traceability module.
fn add_trace_schemas(add: &mut impl FnMut(&str, Value), int: &Value) {
    add(
        "TraceBatch",
        object(
            &["id", "producer", "product", "producer_label", "attributes", "metadata", "items", "created", "recall"],
            json!({
                "id": int, "producer": schema_ref("Address"), "product": { "type": "string" },
                "producer_label": { "type": "string" }, "attributes": schema_ref("Hash"), "metadata": { "type": "string" },
                "items": int, "created": schema_ref("Stamp"),
                "recall": { "type": "object", "nullable": true, "required": ["reason", "recalled"], "properties": {
                    "reason": { "type": "string" }, "recalled": schema_ref("Stamp"),
                } },
            }),
        ),
    );
    add(
        "TraceItem",
        object(
            &[
                "id",
                "code",
                "batch_id",
                "custodian",
                "custody_changes",
                "pending",
                "events",
                "history",
                "registered",
                "updated",
            ],
            json!({
                "id": int, "code": { "type": "string" }, "batch_id": int, "custodian": schema_ref("Address"),
                "custody_changes": { "allOf": [int], "description": "Accepted hand-overs so far (the custody epoch item authorisations belong to)." },
                "pending": { "type": "object", "nullable": true, "required": ["to", "offered"], "properties": {
                    "to": schema_ref("Address"), "offered": schema_ref("Stamp"),
                } },
                "events": { "allOf": [int], "description": "Number of events; their indexes are 0..events." },
                "history": { "allOf": [schema_ref("Hash")], "description": "Rolling hash: h = hash(h ‖ encode(event)) from zero over the events." },
                "registered": schema_ref("Stamp"), "updated": schema_ref("Stamp"),
            }),
        ),
    );
    add(
        "TraceEvent",
        object(
            &["item_id", "index", "author", "kind", "recorded"],
            json!({
                "item_id": int, "index": int, "author": schema_ref("Address"),
                "kind": { "type": "object", "required": ["type"], "properties": {
                    "type": { "type": "string", "enum": ["lifecycle", "custody"] },
                    "stage": { "type": "string" }, "location": { "type": "string" }, "event_time_ms": int,
                    "attachments": { "type": "array", "items": schema_ref("Hash") }, "note": { "type": "string" },
                    "from": schema_ref("Address"), "to": schema_ref("Address"),
                } },
                "recorded": schema_ref("Stamp"),
            }),
        ),
    );
    add(
        "TraceItemHistory",
        object(
            &["code", "item", "batch", "recalled", "custody_chain", "events", "history_verified"],
            json!({
                "code": { "type": "string" }, "item": schema_ref("TraceItem"), "batch": schema_ref("TraceBatch"),
                "recalled": { "type": "boolean" },
                "custody_chain": { "type": "array", "items": schema_ref("Address"), "description": "Producer first, current custodian last." },
                "events": { "type": "array", "items": schema_ref("TraceEvent") },
                "history_verified": { "type": "boolean" },
            }),
        ),
    );
    add(
        "TraceItemRecordWithHistory",
        object(
            &["item", "events", "batch"],
            json!({
                "item": schema_ref("TraceItem"), "events": { "type": "array", "items": schema_ref("TraceEvent") },
                "batch": schema_ref("TraceBatch"),
            }),
        ),
    );
}
