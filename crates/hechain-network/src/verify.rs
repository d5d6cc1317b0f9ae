//! Who may connect: the certificate verifiers of the transport. A peer's certificate must name
//! an allowed node id, chain to that node's own organisation's CA, and not be revoked.

use crate::pki::{node_dns_name, parse_certs_pem};
use crate::revoked::RevocationList;
use crate::NetError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::transport::{tls_err, AllowedPeer};

/// The chain verifiers for one set of trust roots.
#[derive(Debug)]
pub(crate) struct Verifiers {
    server: Arc<WebPkiServerVerifier>,
    client: Arc<dyn ClientCertVerifier>,
}

impl Verifiers {
    fn new(roots: RootCertStore, provider: &Arc<CryptoProvider>) -> Result<Self, NetError> {
        let roots = Arc::new(roots);
        Ok(Verifiers {
            server: WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
                .build()
                .map_err(tls_err)?,
            client: WebPkiClientVerifier::builder_with_provider(roots, provider.clone()).build().map_err(tls_err)?,
        })
    }
}

/// An allowed node: its id, the certificate DNS name that encodes it, and the verifiers of the
/// CA that must have issued its certificate.
#[derive(Debug)]
pub(crate) struct AllowedEntry {
    pub(crate) id: Vec<u8>,
    name: ServerName<'static>,
    verifiers: Arc<Verifiers>,
}

/// The allowed nodes, and the verifiers of all member CAs (for what does not depend on the peer).
#[derive(Debug)]
pub(crate) struct AllowedPeers {
    ids: Vec<AllowedEntry>,
    any: Arc<Verifiers>,
}

impl AllowedPeers {
    pub(crate) fn new(
        peers: &[AllowedPeer],
        all_roots: RootCertStore,
        provider: &Arc<CryptoProvider>,
    ) -> Result<Self, NetError> {
        let any = Arc::new(Verifiers::new(all_roots, provider)?);
        // One set of verifiers per organisation CA.
        let mut by_issuer: BTreeMap<&str, Arc<Verifiers>> = BTreeMap::new();
        let mut ids = Vec::with_capacity(peers.len());
        for p in peers {
            let name = ServerName::try_from(node_dns_name(&p.id))
                .map_err(|e| NetError::TlsConfig(format!("node id {} gives no DNS name: {e}", hex::encode(&p.id))))?;
            let verifiers = match &p.issuer_pem {
                None => any.clone(),
                Some(pem) => match by_issuer.get(pem.as_str()) {
                    Some(v) => v.clone(),
                    None => {
                        let mut roots = RootCertStore::empty();
                        for cert in parse_certs_pem(pem)? {
                            roots.add(cert).map_err(|e| NetError::TlsConfig(format!("organisation CA: {e}")))?;
                        }
                        let v = Arc::new(Verifiers::new(roots, provider)?);
                        by_issuer.insert(pem.as_str(), v.clone());
                        v
                    }
                },
            };
            ids.push(AllowedEntry { id: p.id.clone(), name, verifiers });
        }
        Ok(AllowedPeers { ids, any })
    }

    pub(crate) fn contains(&self, node_id: &[u8]) -> bool {
        self.ids.iter().any(|e| e.id == node_id)
    }

    /// The allowed node that `cert` is issued for, if any. Does not check the chain.
    pub(crate) fn identify(&self, cert: &CertificateDer<'_>) -> Option<&AllowedEntry> {
        let ee = webpki::EndEntityCert::try_from(cert).ok()?;
        self.ids.iter().find(|e| ee.verify_is_valid_for_subject_name(&e.name).is_ok())
    }
}

/// Verifies a server's chain against the CA of whichever allowed node the certificate names
/// (the dialer knows an address, not the node id).
#[derive(Debug)]
pub(crate) struct MemberServerVerifier {
    pub(crate) allowed: Arc<AllowedPeers>,
    pub(crate) revoked: RevocationList,
}

impl ServerCertVerifier for MemberServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.revoked.check(end_entity)?;
        let peer = self
            .allowed
            .identify(end_entity)
            .ok_or(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))?;
        peer.verifiers.server.verify_server_cert(end_entity, intermediates, &peer.name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.allowed.any.server.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.allowed.any.server.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.allowed.any.server.supported_verify_schemes()
    }
}

/// Verifies a connecting node's chain against the CA of the allowed node its certificate names.
#[derive(Debug)]
pub(crate) struct MemberClientVerifier {
    pub(crate) allowed: Arc<AllowedPeers>,
    pub(crate) revoked: RevocationList,
}

impl ClientCertVerifier for MemberClientVerifier {
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        self.allowed.any.client.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.revoked.check(end_entity)?;
        let peer = self
            .allowed
            .identify(end_entity)
            .ok_or(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))?;
        peer.verifiers.client.verify_client_cert(end_entity, intermediates, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.allowed.any.client.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.allowed.any.client.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.allowed.any.client.supported_verify_schemes()
    }
}
