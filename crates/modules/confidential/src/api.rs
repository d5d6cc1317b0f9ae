//! The confidential-amounts module's REST routes (under `/api/v1/confidential`). They serve
//! commitments and sealed openings, never an amount: a wallet opens what it holds.

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_primitives::{Address, H256};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{exec, keys, Asset, ConfidentialModule, ConfidentialRecord, Note};

/// What a wallet needs to build a move on this chain.
#[derive(Serialize, ToSchema)]
pub struct ConfidentialParams {
    /// The chain's genesis hash (bound into every balance proof).
    pub chain: H256,
    /// The chain's suite (`standard`: openings sealed with AES-256-GCM; `gm`: SM4-GCM).
    pub suite: String,
    /// The auditor's public view key (every output is sealed to it too), or null.
    pub auditor: Option<H256>,
}

/// An account's public view key.
#[derive(Serialize, ToSchema)]
pub struct ViewKey {
    /// The account.
    pub account: Address,
    /// Its public view key.
    pub view_key: H256,
}

/// A page of notes.
#[derive(Serialize, ToSchema)]
pub struct NotePage {
    /// The notes, by id.
    pub notes: Vec<Note>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<u64>,
}

const ID: Param = Param { name: "id", at: ParamIn::Path, required: true, kind: ParamKind::Id, description: "Id." };

/// The routes.
pub fn routes() -> Vec<Route<ConfidentialModule>> {
    vec![
        Route::get(
            "/api/v1/confidential/params",
            "getConfidentialParams",
            "The chain identity, suite and auditor key a wallet builds moves with",
            &[],
            Response::Json(schema_ref::<ConfidentialParams>),
            params,
        ),
        Route::get(
            "/api/v1/confidential/assets/{id}",
            "getConfidentialAsset",
            "A confidential asset: issuer, public cap, current reserve note",
            &[ID],
            Response::Json(schema_ref::<Asset>),
            get_asset,
        ),
        Route::get(
            "/api/v1/confidential/assets/{id}/notes",
            "listConfidentialAssetNotes",
            "Every note of an asset, spent or not (what the auditor opens), paged",
            &[ID, AFTER, LIMIT],
            Response::Json(schema_ref::<NotePage>),
            asset_notes,
        ),
        Route::get(
            "/api/v1/confidential/notes/{id}",
            "getConfidentialNote",
            "A note: owner, commitment, sealed openings, spent or not (never the amount)",
            &[ID],
            Response::Json(schema_ref::<Note>),
            get_note,
        ),
        Route::get(
            "/api/v1/confidential/notes/{id}/certificate",
            "getConfidentialNoteCertificate",
            "Offline-verifiable certificate of a note (record kind `conf_note`)",
            &[ID],
            Response::Certificate,
            certificate,
        ),
        Route::get(
            "/api/v1/confidential/accounts/{address}/notes",
            "listConfidentialAccountNotes",
            "An account's unspent notes (reserve and holdings), paged",
            &[ADDRESS, AFTER, LIMIT],
            Response::Json(schema_ref::<NotePage>),
            account_notes,
        ),
        Route::get(
            "/api/v1/confidential/accounts/{address}/view-key",
            "getConfidentialViewKey",
            "An account's registered public view key",
            &[ADDRESS],
            Response::Json(schema_ref::<ViewKey>),
            view_key,
        ),
    ]
}

fn params(host: &dyn QueryHost, _p: &Params) -> Result<Reply<ConfidentialRecord>, QueryError> {
    let head = host.head();
    Reply::json(&ConfidentialParams {
        chain: head.genesis_hash,
        suite: head.suite.name().to_string(),
        auditor: exec::auditor(host.state())?,
    })
}

fn must_note(host: &dyn QueryHost, id: u64) -> Result<Note, QueryError> {
    exec::note(host.state(), id)?.ok_or_else(|| QueryError::not_found("note_not_found", format!("no note {id}")))
}

fn get_asset(host: &dyn QueryHost, p: &Params) -> Result<Reply<ConfidentialRecord>, QueryError> {
    let id = p.id("id")?;
    let a = exec::asset(host.state(), id)?
        .ok_or_else(|| QueryError::not_found("asset_not_found", format!("no confidential asset {id}")))?;
    Reply::json(&a)
}

fn notes(host: &dyn QueryHost, p: &Params, prefix: &[u8]) -> Result<Reply<ConfidentialRecord>, QueryError> {
    let (ids, next_after) = id_page(host, p, prefix)?;
    let notes = ids.into_iter().map(|id| must_note(host, id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&NotePage { notes, next_after })
}

fn asset_notes(host: &dyn QueryHost, p: &Params) -> Result<Reply<ConfidentialRecord>, QueryError> {
    notes(host, p, &keys::asset_notes_prefix(p.id("id")?))
}

fn account_notes(host: &dyn QueryHost, p: &Params) -> Result<Reply<ConfidentialRecord>, QueryError> {
    notes(host, p, &keys::owner_prefix(&p.address("address")?))
}

fn get_note(host: &dyn QueryHost, p: &Params) -> Result<Reply<ConfidentialRecord>, QueryError> {
    Reply::json(&must_note(host, p.id("id")?)?)
}

fn certificate(host: &dyn QueryHost, p: &Params) -> Result<Reply<ConfidentialRecord>, QueryError> {
    Ok(Reply::Certificate(ConfidentialRecord::ConfNote(must_note(host, p.id("id")?)?)))
}

fn view_key(host: &dyn QueryHost, p: &Params) -> Result<Reply<ConfidentialRecord>, QueryError> {
    let account = p.address("address")?;
    let key = exec::view_key(host.state(), &account)?.ok_or_else(|| {
        QueryError::not_found("view_key_not_found", format!("{account} has not registered a view key"))
    })?;
    Reply::json(&ViewKey { account, view_key: key })
}
