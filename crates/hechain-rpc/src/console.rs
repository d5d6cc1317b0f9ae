//! The web console (区块链浏览器 + 管理台): the files of the repository's `console/` folder,
//! embedded in the binary and served at `/` (the page) and `/console/…` (its modules, styles,
//! libraries and the WebAssembly verifier). The page is static: everything it shows it reads
//! from this node's REST API, on the same origin, so it needs no CORS set-up.
//!
//! `GET /` is shared with the Ethereum JSON-RPC WebSocket: a request that asks for a WebSocket
//! upgrade gets the JSON-RPC session, any other gets the page (see [`crate::eth`]).
//!
//! Responses carry the file's SHA-256 as a strong `ETag` and `Cache-Control: no-cache`, so a
//! browser revalidates (a 304 when unchanged) and an upgraded node's console is never stale.
//! The files are public: a node with API tokens serves them without one (the page then asks the
//! user for a token before it calls the API).

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

/// The console's files (`console/` at the repository root), without its build scripts.
#[derive(RustEmbed)]
#[folder = "../../console/"]
#[exclude = "*.sh"]
#[exclude = "*/*.sh"]
#[exclude = "vendor/SHA256SUMS"]
#[exclude = "vendor/VERSIONS"]
struct Files;

/// URL prefix of the console's files.
pub(crate) const PREFIX: &str = "/console/";

/// `GET /console/{*path}`: one of the console's files, or a JSON 404.
pub(crate) async fn file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

/// The console's page (`GET /` without a WebSocket upgrade).
pub(crate) fn index(headers: &HeaderMap) -> Response {
    serve("index.html", headers)
}

/// Whether the console serves `path` (requests for it need no API token).
pub(crate) fn is_console_path(path: &str) -> bool {
    path.starts_with(PREFIX)
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(f) = Files::get(path) else {
        let body = crate::error::error_body("not_found", &format!("the console has no file {path:?}"));
        return (StatusCode::NOT_FOUND, axum::Json(body)).into_response();
    };
    let etag = format!("\"{}\"", hex::encode(f.metadata.sha256_hash()));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let etag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if fresh {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), cache]).into_response();
    }
    let mime =
        HeaderValue::from_str(f.metadata.mimetype()).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let headers = [
        (header::CONTENT_TYPE, mime),
        (header::ETAG, etag),
        cache,
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    (headers, f.data.into_owned()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_its_modules_and_the_verifier_are_embedded() {
        for (path, mime) in [
            ("index.html", "text/html"),
            ("app.js", "text/javascript"),
            ("verify.wasm", "application/wasm"),
            ("vendor/uPlot.esm.js", "text/javascript"),
            // (both are JavaScript MIME types browsers run as modules)
            ("vendor/qrcode.mjs", "application/javascript"),
        ] {
            let f = Files::get(path).unwrap_or_else(|| panic!("{path} is not embedded"));
            assert!(f.metadata.mimetype().starts_with(mime), "{path}: {}", f.metadata.mimetype());
        }
        assert!(Files::get("build-wasm.sh").is_none() && Files::get("vendor/update.sh").is_none());
    }

    #[test]
    fn every_module_the_page_imports_is_embedded() {
        // A relative import (static `from '…'` or dynamic `import('…')`) of a file that is not in
        // console/ would break the page only in a browser; catch it here.
        let mut checked = 0;
        for name in Files::iter().filter(|n| n.ends_with(".js") && !n.starts_with("vendor/")) {
            let text = String::from_utf8(Files::get(&name).unwrap().data.into_owned()).unwrap();
            let dir = name.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
            for spec in relative_imports(&text) {
                let target = normalize(&format!("{dir}{spec}"));
                assert!(Files::get(&target).is_some(), "{name} imports {spec}, which is not in console/");
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} imports found: is the scan still right?");
    }

    /// The `./…` and `../…` specifiers after `from '` or `import('`.
    fn relative_imports(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for marker in ["from '", "from \"", "import('", "import(\""] {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                let spec = &rest[..rest.find(['\'', '"']).unwrap_or(0)];
                if spec.starts_with("./") || spec.starts_with("../") {
                    out.push(spec);
                }
            }
        }
        out
    }

    fn normalize(path: &str) -> String {
        let mut out: Vec<&str> = Vec::new();
        for part in path.split('/') {
            match part {
                ".." => {
                    out.pop();
                }
                "." | "" => {}
                p => out.push(p),
            }
        }
        out.join("/")
    }
}
