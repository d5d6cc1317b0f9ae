//! TLS on the API port, optionally mutual (`[api.tls]` in a node's configuration file).
//!
//! ```toml
//! [api.tls]
//! cert = "node0/api/api.crt"     # PEM chain, leaf first
//! key = "node0/api/api.key"      # PEM private key
//! client_cas = ["org1-ca.crt"]    # optional: only clients with a certificate from these CAs
//! ```
//!
//! With `client_cas`, a client must present a certificate issued by one of them (FISCO BCOS
//! style: each member organisation issues its SDK users' certificates); without, any client may
//! connect over TLS. TLS 1.2 and 1.3 are offered (clients of the API are SDKs and browsers).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};
use tokio_rustls::TlsAcceptor;

/// Where the API's TLS identity and client CAs are (paths are relative to the configuration
/// file's directory).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiTls {
    /// The server certificate chain (PEM).
    pub cert: PathBuf,
    /// The server private key (PEM).
    pub key: PathBuf,
    /// CA certificates (PEM files) whose client certificates are required (mutual TLS); empty:
    /// no client certificate is asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_cas: Vec<PathBuf>,
}

/// Why the API's TLS configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("API TLS: {0}")]
pub struct TlsError(String);

fn read(path: &Path, what: &str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError(format!("cannot read the {what} {}: {e}", path.display())))
}

fn certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError(format!("the {what} {} is not PEM: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(TlsError(format!("the {what} {} holds no certificate", path.display())));
    }
    Ok(certs)
}

impl ApiTls {
    /// These paths resolved against `base` (the configuration file's directory).
    pub fn relative_to(&self, base: &Path) -> ApiTls {
        let abs = |p: &PathBuf| if p.is_absolute() { p.clone() } else { base.join(p) };
        ApiTls { cert: abs(&self.cert), key: abs(&self.key), client_cas: self.client_cas.iter().map(abs).collect() }
    }

    /// Reads the files and builds the acceptor (checks everything: call it at start-up).
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        let chain = certs(&self.cert, "certificate")?;
        let key = PrivateKeyDer::from_pem_slice(&read(&self.key, "private key")?)
            .map_err(|e| TlsError(format!("the private key {} is not PEM: {e}", self.key.display())))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(e.to_string()))?;
        let builder = if self.client_cas.is_empty() {
            builder.with_no_client_auth()
        } else {
            let mut roots = rustls::RootCertStore::empty();
            for path in &self.client_cas {
                for c in certs(path, "client CA certificate")? {
                    roots.add(c).map_err(|e| TlsError(format!("client CA {}: {e}", path.display())))?;
                }
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| TlsError(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        };
        let mut config = builder
            .with_single_cert(chain, key)
            .map_err(|e| TlsError(format!("certificate and key do not fit together: {e}")))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}
