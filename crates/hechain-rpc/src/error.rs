//! The API's error type and its JSON form.
//!
//! Every error leaves the server as
//! `{"error":{"code":"snake_case_code","message":"human sentence"}}` with a
//! status that says whose fault it was:
//!
//! | status | when |
//! |--------|------|
//! | 400 | malformed input (JSON, hex, lengths, query strings) and refused transactions ([`AdmitError`] that is not retryable) |
//! | 404 | unknown route, or the thing asked for does not exist |
//! | 405 | the route exists but not with this method |
//! | 413 | request body or batch larger than the configured limit |
//! | 500 | the node failed internally (storage); logged with `tracing::error!` |
//! | 503 | back-pressure: the pool is full or state is unavailable; carries `Retry-After: 1` |

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hechain_mempool::AdmitError;

/// Why a request failed. Converts into the JSON error response.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (status 400).
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code.
        code: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// The route or the requested object does not exist (status 404).
    #[error("{message}")]
    NotFound {
        /// Machine-readable code.
        code: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// The route exists but does not accept this method (status 405).
    #[error("{message}")]
    MethodNotAllowed {
        /// Human-readable explanation.
        message: String,
    },
    /// The body or the batch is larger than allowed (status 413).
    #[error("{message}")]
    TooLarge {
        /// Machine-readable code.
        code: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// The transaction pool refused a transaction (status 400, or 503 with
    /// `Retry-After` when [`AdmitError::is_retryable`]).
    #[error(transparent)]
    Admission(#[from] AdmitError),
    /// Not available yet; retry shortly (status 503 with `Retry-After`).
    #[error("{message}")]
    NotReady {
        /// Machine-readable code.
        code: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// Storage failed (status 500).
    #[error("storage failure: {0}")]
    Storage(#[from] hechain_storage::StorageError),
    /// Reading execution state failed (status 500).
    #[error("state failure: {0}")]
    Execution(#[from] hechain_execution::ExecError),
    /// Any other internal failure (status 500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<hechain_execution::StateError> for ApiError {
    fn from(e: hechain_execution::StateError) -> Self {
        ApiError::Execution(e.into())
    }
}

impl ApiError {
    /// A 400 error.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest { code, message: message.into() }
    }

    /// A 404 error.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::NotFound { code, message: message.into() }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Admission(e) if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotReady { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Admission(_) => StatusCode::BAD_REQUEST,
            ApiError::Storage(_) | ApiError::Execution(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. }
            | ApiError::NotFound { code, .. }
            | ApiError::TooLarge { code, .. }
            | ApiError::NotReady { code, .. } => code,
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Admission(e) => e.code(),
            ApiError::Storage(_) => "storage_error",
            ApiError::Execution(_) => "state_error",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

/// The JSON body of an error: `{"error":{"code":..,"message":..}}`.
pub fn error_body(code: &str, message: &str) -> crate::schema::ErrorBody {
    crate::schema::ErrorBody::new(code, message)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = self.to_string();
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(code = self.code(), error = %message, "REST API request failed");
        }
        let mut resp = (status, Json(error_body(self.code(), &message))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        resp
    }
}

/// At most `max` characters of `s` (for echoing client input in messages).
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        let e = ApiError::Admission(AdmitError::PoolFull { capacity: 3 });
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code(), "pool_full");
        let e = ApiError::Admission(AdmitError::NonceTooLow { expected: 2, got: 1 });
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert_eq!(e.code(), "nonce_too_low");
        assert_eq!(ApiError::Internal("x".into()).status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn excerpt_truncates_on_char_boundaries() {
        assert_eq!(excerpt("abc"), "abc");
        let long = "é".repeat(100);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), 81);
        assert!(e.ends_with('…'));
    }
}
