//! A module's REST routes: what each serves, its parameters and response schema (for the
//! generated OpenAPI document), and the handler, which reads state through [`QueryHost`].
//!
//! The node's REST server (`hechain-rpc`) mounts every listed module's [`ModuleApi::routes`]
//! under `/api/v1`, documents them, and turns a [`Reply::Certificate`] into an
//! offline-verifiable record certificate.

use std::collections::BTreeMap;

use hechain_primitives::{Address, H256};
use utoipa::openapi::{RefOr, Schema};

use crate::exec::{StateError, StateScan};
use crate::Module;

/// Component schemas collected while documenting routes (`(name, schema)` pairs).
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// HTTP method of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET (a query).
    Get,
}

/// Where a parameter is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamIn {
    /// A `{name}` segment of the path.
    Path,
    /// `?name=…`.
    Query,
}

/// What a parameter holds (its schema and how it is parsed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A decimal id, at least 1.
    Id,
    /// A `0x` address.
    Address,
    /// A `0x` 32-byte hash.
    Hash,
    /// Free text (at most 256 bytes).
    Text,
    /// A decimal cursor or count, at least 0.
    Count,
}

/// One parameter of a route.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Name (as in the path template or the query string).
    pub name: &'static str,
    /// Path or query.
    pub at: ParamIn,
    /// Whether it must be given (path parameters always are).
    pub required: bool,
    /// What it is.
    pub kind: ParamKind,
    /// One line for the OpenAPI document.
    pub description: &'static str,
}

/// `{address}`: an account, in the path.
pub const ADDRESS: Param = Param {
    name: "address",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Address,
    description: "Account address (20 bytes, 0x hex, any case).",
};

/// `?after=`: the cursor of a paged list ([`id_page`]).
pub const AFTER: Param = Param {
    name: "after",
    at: ParamIn::Query,
    required: false,
    kind: ParamKind::Count,
    description: "Return records with ids after this one (the previous page's `next_after`).",
};

/// `?limit=`: the page size of a paged list ([`page_limit`]).
pub const LIMIT: Param = Param {
    name: "limit",
    at: ParamIn::Query,
    required: false,
    kind: ParamKind::Count,
    description: "Page size (default 100, at most the server's maximum).",
};

impl Param {
    /// What the parameter is, for messages: its description up to the first parenthesis or
    /// full stop, in lower case ("Work id (decimal, from 1)." → "work id").
    pub fn label(&self) -> String {
        let d = self.description;
        let cut = d.find(" (").or_else(|| d.find('.')).unwrap_or(d.len());
        let text = d[..cut].trim();
        let text = if text.is_empty() { self.name } else { text };
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => self.name.to_string(),
        }
    }

    /// Checks a given value against the parameter's kind, so that a handler's typed reads
    /// cannot fail on it; the refusal names the parameter.
    pub fn check(&self, v: &str) -> Result<(), QueryError> {
        let what = self.label();
        match self.kind {
            ParamKind::Id => parse_id(v, &what).map(|_| ()),
            ParamKind::Count => parse_count(v, &what).map(|_| ()),
            ParamKind::Address => parse_address(v, &what).map(|_| ()),
            ParamKind::Hash => parse_hash(v, &what).map(|_| ()),
            ParamKind::Text if v.len() > 256 => {
                Err(QueryError::bad_request("invalid_parameter", format!("{what} is longer than 256 bytes")))
            }
            ParamKind::Text => Ok(()),
        }
    }
}

/// A decimal id (≥ 1); `what` names it in the refusal.
fn parse_id(v: &str, what: &str) -> Result<u64, QueryError> {
    match v.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(QueryError::bad_request("invalid_id", format!("{what} must be a decimal id from 1, not {v:?}"))),
    }
}

/// A decimal number (≥ 0).
fn parse_count(v: &str, what: &str) -> Result<u64, QueryError> {
    v.parse::<u64>().map_err(|_| {
        QueryError::bad_request("invalid_parameter", format!("{what} must be a decimal number, not {v:?}"))
    })
}

/// A `0x` address.
fn parse_address(v: &str, what: &str) -> Result<Address, QueryError> {
    v.parse().map_err(|e| QueryError::bad_request("invalid_address", format!("{what}: {e}")))
}

/// A `0x` 32-byte hash.
fn parse_hash(v: &str, what: &str) -> Result<H256, QueryError> {
    v.parse().map_err(|e| QueryError::bad_request("invalid_hash", format!("{what}: {e}")))
}

/// The parsed parameters of a request.
#[derive(Clone, Debug, Default)]
pub struct Params(pub BTreeMap<&'static str, String>);

impl Params {
    fn raw(&self, name: &str) -> Result<Option<&str>, QueryError> {
        Ok(self.0.get(name).map(String::as_str))
    }

    fn required(&self, name: &str) -> Result<&str, QueryError> {
        self.raw(name)?.ok_or_else(|| {
            QueryError::bad_request("invalid_query", format!("invalid query string: missing field `{name}`"))
        })
    }

    /// A decimal id (≥ 1).
    pub fn id(&self, name: &str) -> Result<u64, QueryError> {
        parse_id(self.required(name)?, name)
    }

    /// An optional decimal count (≥ 0).
    pub fn count(&self, name: &str) -> Result<Option<u64>, QueryError> {
        self.raw(name)?.map(|v| parse_count(v, name)).transpose()
    }

    /// A `0x` address.
    pub fn address(&self, name: &str) -> Result<Address, QueryError> {
        parse_address(self.required(name)?, name)
    }

    /// A `0x` 32-byte hash.
    pub fn hash(&self, name: &str) -> Result<H256, QueryError> {
        parse_hash(self.required(name)?, name)
    }

    /// Free text.
    pub fn text(&self, name: &str) -> Result<&str, QueryError> {
        self.required(name)
    }
}

/// What a handler answers.
#[derive(Debug)]
pub enum Reply<R> {
    /// A JSON body (status 200).
    Json(serde_json::Value),
    /// An offline-verifiable certificate of this record in the latest sealed state.
    Certificate(R),
}

impl<R> Reply<R> {
    /// A JSON body of `v`.
    pub fn json<T: serde::Serialize>(v: &T) -> Result<Self, QueryError> {
        serde_json::to_value(v).map(Reply::Json).map_err(|e| QueryError::State(StateError::Invariant(e.to_string())))
    }
}

/// Why a query has no answer.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// 400: the request is malformed; `code` is machine-readable.
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// 404: nothing matches.
    #[error("{message}")]
    NotFound {
        /// Machine-readable code.
        code: &'static str,
        /// What is missing.
        message: String,
    },
    /// 500: state could not be read.
    #[error(transparent)]
    State(#[from] StateError),
}

impl QueryError {
    /// A 400.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        QueryError::BadRequest { code, message: message.into() }
    }

    /// A 404.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        QueryError::NotFound { code, message: message.into() }
    }
}

/// What a handler may use: the latest committed state, the block it is the result of, and the
/// node's page limit.
pub trait QueryHost {
    /// The latest committed state.
    fn state(&self) -> &dyn StateScan;
    /// The block that state is the result of (its time is a query's "now"), with the chain's
    /// suite.
    fn head(&self) -> crate::exec::BlockInfo;
    /// Largest page a list may return.
    fn max_page(&self) -> usize;
}

/// A route's handler.
pub type Handler<M> = fn(&dyn QueryHost, &Params) -> Result<Reply<<M as Module>::Record>, QueryError>;

/// One REST route of a module.
pub struct Route<M: Module> {
    /// Method.
    pub method: Method,
    /// Path template under the node's root, e.g. `/api/v1/invoices/{id}`.
    pub path: &'static str,
    /// OpenAPI operation id (unique across the API).
    pub operation_id: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Parameters.
    pub params: &'static [Param],
    /// What a 200 answers.
    pub response: Response,
    /// The handler.
    pub handler: Handler<M>,
}

impl<M: Module> Route<M> {
    /// A GET route.
    pub fn get(
        path: &'static str,
        operation_id: &'static str,
        summary: &'static str,
        params: &'static [Param],
        response: Response,
        handler: Handler<M>,
    ) -> Self {
        Route { method: Method::Get, path, operation_id, summary, params, response, handler }
    }
}

/// What a route answers with status 200.
#[derive(Clone, Copy)]
pub enum Response {
    /// A JSON body of this schema (the function registers the components it refers to).
    Json(fn(&mut Schemas) -> RefOr<Schema>),
    /// A record certificate (the handler answers [`Reply::Certificate`]); the node documents
    /// the certificate format.
    Certificate,
}

/// The page size a list route uses: `limit`, default 100, between 1 and the server's maximum.
pub fn page_limit(p: &Params, max_page: usize) -> Result<usize, QueryError> {
    let limit = p.count("limit")?.map_or(100.min(max_page), |l| l as usize);
    if limit == 0 || limit > max_page {
        return Err(QueryError::bad_request(
            "invalid_query",
            format!("invalid query string: limit must be between 1 and {max_page}, got {limit}"),
        ));
    }
    Ok(limit)
}

/// A module's REST side.
pub trait ModuleApi: Module {
    /// The module's routes (empty while a module's routes are still served by the node's own
    /// handlers; see `docs/architecture.md`).
    fn routes() -> Vec<Route<Self>>
    where
        Self: Sized;
}

/// Registers `T`'s schema and its dependencies, and refers to it.
pub fn schema_ref<T: utoipa::ToSchema>(out: &mut Schemas) -> RefOr<Schema> {
    out.push((T::name().into_owned(), T::schema()));
    T::schemas(out);
    RefOr::Ref(utoipa::openapi::Ref::from_schema_name(T::name()))
}

/// One page of an id index (keys `prefix ‖ … ‖ id`, ascending) as a paged list route serves it:
/// the page size from `limit` ([`page_limit`]), ids after the `after` parameter, and the id to
/// continue after (`next_after`) when more remain.
pub fn id_page(host: &dyn QueryHost, p: &Params, prefix: &[u8]) -> Result<(Vec<u64>, Option<u64>), QueryError> {
    let limit = page_limit(p, host.max_page())?;
    let after_key = p.count("after")?.map(|a| [prefix, &a.to_be_bytes()].concat());
    let entries = host.state().scan(prefix, after_key.as_deref(), limit + 1)?;
    let mut ids = entries
        .iter()
        .map(|(k, _)| {
            crate::keys::trailing_id(k).ok_or_else(|| StateError::Corrupt {
                key: crate::exec::hex_key(k),
                reason: "index key does not end in an id".into(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let next_after = if ids.len() > limit {
        ids.truncate(limit);
        ids.last().copied()
    } else {
        None
    };
    Ok((ids, next_after))
}

pub use crate::schema::flattened;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked_by_kind_and_named_in_refusals() {
        let id = Param {
            name: "id",
            at: ParamIn::Path,
            required: true,
            kind: ParamKind::Id,
            description: "Work id (decimal, from 1).",
        };
        assert_eq!(id.label(), "work id");
        assert!(id.check("7").is_ok());
        for bad in ["0", "x", "-1"] {
            assert!(id.check(bad).unwrap_err().to_string().starts_with("work id must be"), "{bad}");
        }
        assert_eq!(ADDRESS.label(), "account address");
        assert!(ADDRESS.check("0x12").is_err());
        let text = Param { name: "code", at: ParamIn::Query, required: true, kind: ParamKind::Text, description: "" };
        assert_eq!(text.label(), "code");
        assert!(text.check(&"a".repeat(257)).is_err());
        assert!(LIMIT.check("ten").unwrap_err().to_string().contains("page size"));
    }
}
