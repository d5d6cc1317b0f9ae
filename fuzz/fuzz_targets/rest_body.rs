//! REST request bodies: one transaction, a JSON batch, a binary batch (`POST /api/v1/…`). The
//! first byte picks which.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "http.rs"]
mod http;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let (path, ty) = match pick % 3 {
        0 => ("/api/v1/transactions", "application/json"),
        1 => ("/api/v1/transactions/batch", "application/json"),
        _ => ("/api/v1/transactions/batch", "application/octet-stream"),
    };
    http::send(axum::http::Method::POST, path, ty, body.to_vec());
});
