//! The trade-document registry's REST routes (under `/api/v1/tradedocs`).

use hechain_module::api::{
    id_page, schema_ref, Method, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{exec, keys, DocType, TradeDoc, TradedocModule, TradedocRecord};

/// Whether a document is financed now, and by whom.
#[derive(Serialize, ToSchema)]
pub struct FinancingLookup {
    /// A live registration of the document exists.
    pub financed: bool,
    /// The normalised key that was looked up.
    pub doc_type: DocType,
    /// Normalised issuer.
    pub issuer: String,
    /// Normalised number.
    pub number: String,
    /// The live registration, when financed.
    pub registration: Option<TradeDoc>,
}

/// One page of registrations.
#[derive(Serialize, ToSchema)]
pub struct TradeDocPage {
    /// Registrations, by id.
    pub documents: Vec<TradeDoc>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

const ID: Param =
    Param { name: "id", at: ParamIn::Path, required: true, kind: ParamKind::Id, description: "Registration id." };

/// The routes.
pub fn routes() -> Vec<Route<TradedocModule>> {
    vec![
        Route {
            method: Method::Get,
            path: "/api/v1/tradedocs/lookup",
            operation_id: "lookupTradeDocument",
            summary: "Whether a trade document (type, issuer, number; normalised) is financed now",
            params: &[
                Param {
                    name: "type",
                    at: ParamIn::Query,
                    required: true,
                    kind: ParamKind::Text,
                    description: "bill_of_lading, warehouse_receipt, invoice or contract.",
                },
                Param {
                    name: "issuer",
                    at: ParamIn::Query,
                    required: true,
                    kind: ParamKind::Text,
                    description: "Issuer.",
                },
                Param {
                    name: "number",
                    at: ParamIn::Query,
                    required: true,
                    kind: ParamKind::Text,
                    description: "Number.",
                },
            ],
            response: Response::Json(schema_ref::<FinancingLookup>),
            handler: lookup,
        },
        Route {
            method: Method::Get,
            path: "/api/v1/tradedocs/{id}",
            operation_id: "getTradeDocument",
            summary: "A trade-document registration",
            params: &[ID],
            response: Response::Json(schema_ref::<TradeDoc>),
            handler: get,
        },
        Route {
            method: Method::Get,
            path: "/api/v1/tradedocs/{id}/certificate",
            operation_id: "getTradeDocumentCertificate",
            summary: "Offline-verifiable certificate of a registration (record kind `trade_document`)",
            params: &[ID],
            response: Response::Certificate,
            handler: certificate,
        },
        Route {
            method: Method::Get,
            path: "/api/v1/tradedocs/by-bank/{address}",
            operation_id: "listTradeDocumentsByBank",
            summary: "Registrations of one bank, paged",
            params: &[
                Param {
                    name: "address",
                    at: ParamIn::Path,
                    required: true,
                    kind: ParamKind::Address,
                    description: "The bank.",
                },
                Param {
                    name: "after",
                    at: ParamIn::Query,
                    required: false,
                    kind: ParamKind::Count,
                    description: "Continue after this registration id.",
                },
                Param {
                    name: "limit",
                    at: ParamIn::Query,
                    required: false,
                    kind: ParamKind::Count,
                    description: "Page size.",
                },
            ],
            response: Response::Json(schema_ref::<TradeDocPage>),
            handler: by_bank,
        },
    ]
}

fn must(host: &dyn QueryHost, id: u64) -> Result<TradeDoc, QueryError> {
    exec::doc(host.state(), id)?
        .ok_or_else(|| QueryError::not_found("trade_document_not_found", format!("no registration has id {id}")))
}

fn get(host: &dyn QueryHost, p: &Params) -> Result<Reply<TradedocRecord>, QueryError> {
    Reply::json(&must(host, p.id("id")?)?)
}

fn certificate(host: &dyn QueryHost, p: &Params) -> Result<Reply<TradedocRecord>, QueryError> {
    Ok(Reply::Certificate(TradedocRecord::TradeDocument(must(host, p.id("id")?)?)))
}

fn lookup(host: &dyn QueryHost, p: &Params) -> Result<Reply<TradedocRecord>, QueryError> {
    let doc_type = DocType::parse(p.text("type")?).map_err(|e| QueryError::bad_request("invalid_type", e))?;
    let (issuer, number) = (p.text("issuer")?, p.text("number")?);
    for (what, v) in [("issuer", issuer), ("number", number)] {
        crate::validate_part(what, v).map_err(|e| QueryError::bad_request("invalid_document", e.to_string()))?;
    }
    let registration = exec::live_by_key(host.state(), doc_type, issuer, number)?;
    Reply::json(&FinancingLookup {
        financed: registration.is_some(),
        doc_type,
        issuer: crate::normalize(issuer),
        number: crate::normalize(number),
        registration,
    })
}

fn by_bank(host: &dyn QueryHost, p: &Params) -> Result<Reply<TradedocRecord>, QueryError> {
    let (ids, next_after) = id_page(host, p, &keys::bank_prefix(&p.address("address")?))?;
    let documents = ids.into_iter().map(|id| must(host, id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&TradeDocPage { documents, next_after })
}
