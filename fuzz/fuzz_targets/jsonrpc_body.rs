//! JSON-RPC request bodies (`POST /`): single calls and batches of any method and parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "http.rs"]
mod http;

fuzz_target!(|data: &[u8]| {
    http::send(axum::http::Method::POST, "/", "application/json", data.to_vec());
});
