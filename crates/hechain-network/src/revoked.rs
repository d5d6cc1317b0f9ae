//! Revoked node certificates, by fingerprint.
//!
//! A certificate's fingerprint is the SHA-256 of its DER encoding — what
//! `openssl x509 -noout -fingerprint -sha256 -in node.crt` prints, without the colons. The list
//! comes from chain state (governance revokes a certificate by fingerprint) and is replaced with
//! [`Transport::set_revoked`](crate::Transport::set_revoked): from then on a handshake presenting
//! a revoked certificate fails, and a peer connected with one is disconnected.

use parking_lot::RwLock;
use rustls::CertificateError;
use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::Arc;

/// SHA-256 of a certificate's DER encoding.
pub type Fingerprint = [u8; 32];

/// The fingerprint of a DER-encoded certificate.
pub fn fingerprint(der: &[u8]) -> Fingerprint {
    Sha256::digest(der).into()
}

/// The fingerprints of the certificates of a PEM text, in order.
pub fn pem_fingerprints(pem: &str) -> Result<Vec<Fingerprint>, crate::NetError> {
    Ok(crate::pki::parse_certs_pem(pem)?.iter().map(|c| fingerprint(c.as_ref())).collect())
}

/// The revoked fingerprints, shared by the transport and its verifiers. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub(crate) struct RevocationList(Arc<RwLock<BTreeSet<Fingerprint>>>);

impl RevocationList {
    /// Whether the certificate with this fingerprint is revoked.
    pub(crate) fn contains(&self, fp: &Fingerprint) -> bool {
        self.0.read().contains(fp)
    }

    /// Fails a handshake whose end-entity certificate is revoked.
    pub(crate) fn check(&self, cert: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        if self.contains(&fingerprint(cert.as_ref())) {
            return Err(rustls::Error::InvalidCertificate(CertificateError::Revoked));
        }
        Ok(())
    }

    /// Replaces the list; returns whether it changed.
    pub(crate) fn replace(&self, fps: &[Fingerprint]) -> bool {
        let new: BTreeSet<Fingerprint> = fps.iter().copied().collect();
        let mut cur = self.0.write();
        if *cur == new {
            return false;
        }
        *cur = new;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_sha256_of_der() {
        // SHA-256 of the empty input (FIPS 180-4 test vector).
        assert_eq!(hex::encode(fingerprint(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let list = RevocationList::default();
        let cert = CertificateDer::from(vec![1u8, 2, 3]);
        assert!(list.check(&cert).is_ok());
        assert!(list.replace(&[fingerprint(&[1, 2, 3])]));
        assert!(!list.replace(&[fingerprint(&[1, 2, 3])]));
        assert!(matches!(list.check(&cert), Err(rustls::Error::InvalidCertificate(CertificateError::Revoked))));
    }
}
