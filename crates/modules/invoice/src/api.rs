//! The invoice module's REST routes (under `/api/v1/invoices`).

use hechain_module::api::{
    id_page, schema_ref, Method, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route,
    ADDRESS, AFTER, LIMIT,
};
use hechain_module::exec::StateScan;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{exec, keys, Invoice, InvoiceModule, InvoiceRecord, IssuerAuth};

/// An invoice and whether it is valid for reimbursement now.
#[derive(Serialize, ToSchema)]
pub struct InvoiceView {
    /// The invoice.
    pub invoice: Invoice,
    /// Not cancelled and not yet reimbursed.
    pub valid: bool,
    /// Why not, when not valid.
    pub reason: Option<String>,
    /// Whether its issuer is still authorised (a later revocation does not void its invoices).
    pub issuer_authorized: bool,
}

/// The answer to "is this invoice genuine and still claimable?".
#[derive(Serialize, ToSchema)]
pub struct InvoiceVerification {
    /// Whether the chain holds an invoice with this code and number.
    pub exists: bool,
    /// It exists, is not cancelled and is not yet reimbursed.
    pub valid: bool,
    /// Why not, when not valid.
    pub reason: Option<String>,
    /// The invoice, when it exists.
    pub invoice: Option<Invoice>,
    /// Whether its issuer is still authorised.
    pub issuer_authorized: bool,
}

/// One page of invoices.
#[derive(Serialize, ToSchema)]
pub struct InvoicePage {
    /// The invoices, by id.
    pub invoices: Vec<Invoice>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

const ID: Param =
    Param { name: "id", at: ParamIn::Path, required: true, kind: ParamKind::Id, description: "Invoice id." };

/// The routes.
pub fn routes() -> Vec<Route<InvoiceModule>> {
    vec![
        Route {
            method: Method::Get,
            path: "/api/v1/invoices/verify",
            operation_id: "verifyInvoice",
            summary: "Verify an invoice by code and number: exists, not cancelled, not reimbursed",
            params: &[
                Param {
                    name: "code",
                    at: ParamIn::Query,
                    required: true,
                    kind: ParamKind::Text,
                    description: "Invoice code.",
                },
                Param {
                    name: "number",
                    at: ParamIn::Query,
                    required: true,
                    kind: ParamKind::Text,
                    description: "Invoice number.",
                },
            ],
            response: Response::Json(schema_ref::<InvoiceVerification>),
            handler: verify,
        },
        Route {
            method: Method::Get,
            path: "/api/v1/invoices/{id}",
            operation_id: "getInvoice",
            summary: "An invoice and whether it can still be reimbursed",
            params: &[ID],
            response: Response::Json(schema_ref::<InvoiceView>),
            handler: get,
        },
        Route {
            method: Method::Get,
            path: "/api/v1/invoices/{id}/certificate",
            operation_id: "getInvoiceCertificate",
            summary: "Offline-verifiable certificate of an invoice (record kind `invoice`)",
            params: &[ID],
            response: Response::Certificate,
            handler: certificate,
        },
        Route {
            method: Method::Get,
            path: "/api/v1/invoices/by-issuer/{address}",
            operation_id: "listInvoicesByIssuer",
            summary: "Invoices of one issuer, paged",
            params: &[ADDRESS, AFTER, LIMIT],
            response: Response::Json(schema_ref::<InvoicePage>),
            handler: by_issuer,
        },
        Route {
            method: Method::Get,
            path: "/api/v1/invoices/by-buyer/{address}",
            operation_id: "listInvoicesByBuyer",
            summary: "Invoices of one buyer, paged",
            params: &[ADDRESS, AFTER, LIMIT],
            response: Response::Json(schema_ref::<InvoicePage>),
            handler: by_buyer,
        },
        Route {
            method: Method::Get,
            path: "/api/v1/invoices/issuers/{address}",
            operation_id: "getInvoiceIssuer",
            summary: "An issuer's authorisation (current or withdrawn)",
            params: &[ADDRESS],
            response: Response::Json(schema_ref::<IssuerAuth>),
            handler: issuer,
        },
    ]
}

fn authorized(state: &dyn StateScan, inv: &Invoice) -> Result<bool, QueryError> {
    Ok(exec::issuer(state, &inv.issuer)?.is_some_and(|a| a.revoked.is_none()))
}

fn must(state: &dyn StateScan, id: u64) -> Result<Invoice, QueryError> {
    exec::invoice(state, id)?
        .ok_or_else(|| QueryError::not_found("invoice_not_found", format!("no invoice has id {id}")))
}

fn get(host: &dyn QueryHost, p: &Params) -> Result<Reply<InvoiceRecord>, QueryError> {
    let inv = must(host.state(), p.id("id")?)?;
    let reason = exec::validity(&inv).err();
    let issuer_authorized = authorized(host.state(), &inv)?;
    Reply::json(&InvoiceView { valid: reason.is_none(), reason, issuer_authorized, invoice: inv })
}

fn verify(host: &dyn QueryHost, p: &Params) -> Result<Reply<InvoiceRecord>, QueryError> {
    let (code, number) = (p.text("code")?, p.text("number")?);
    for (what, v) in [("code", code), ("number", number)] {
        crate::validate_code(what, v).map_err(|e| QueryError::bad_request("invalid_invoice", e.to_string()))?;
    }
    let Some(inv) = exec::by_code(host.state(), code, number)? else {
        return Reply::json(&InvoiceVerification {
            exists: false,
            valid: false,
            reason: Some(format!("no invoice {code} {number} is recorded on this chain")),
            invoice: None,
            issuer_authorized: false,
        });
    };
    let reason = exec::validity(&inv).err();
    let issuer_authorized = authorized(host.state(), &inv)?;
    Reply::json(&InvoiceVerification {
        exists: true,
        valid: reason.is_none(),
        reason,
        issuer_authorized,
        invoice: Some(inv),
    })
}

fn certificate(host: &dyn QueryHost, p: &Params) -> Result<Reply<InvoiceRecord>, QueryError> {
    Ok(Reply::Certificate(InvoiceRecord::Invoice(must(host.state(), p.id("id")?)?)))
}

fn page(host: &dyn QueryHost, p: &Params, prefix: Vec<u8>) -> Result<Reply<InvoiceRecord>, QueryError> {
    let (ids, next_after) = id_page(host, p, &prefix)?;
    let invoices = ids.into_iter().map(|id| must(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&InvoicePage { invoices, next_after })
}

fn by_issuer(host: &dyn QueryHost, p: &Params) -> Result<Reply<InvoiceRecord>, QueryError> {
    page(host, p, keys::issuer_prefix(&p.address("address")?))
}

fn by_buyer(host: &dyn QueryHost, p: &Params) -> Result<Reply<InvoiceRecord>, QueryError> {
    page(host, p, keys::buyer_prefix(&p.address("address")?))
}

fn issuer(host: &dyn QueryHost, p: &Params) -> Result<Reply<InvoiceRecord>, QueryError> {
    let a = p.address("address")?;
    let auth = exec::issuer(host.state(), &a)?.ok_or_else(|| {
        QueryError::not_found("issuer_not_found", format!("{a} has never been an authorised invoice issuer"))
    })?;
    Reply::json(&auth)
}
