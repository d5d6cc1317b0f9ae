//! A small consortium PKI: one self-signed CA per member organisation, which issues node
//! certificates that carry the node's consensus public key.
//!
//! Keys are ECDSA P-256 with SHA-256 signatures: `rcgen` generates them with `ring`, and the
//! `ring` provider of rustls both signs with them in handshakes and verifies them in chains.
//!
//! A node certificate names its node id (the hechain `NodePublicKey` bytes) in a DNS
//! subject-alternative name produced by [`node_dns_name`]: the lowercase hex of the id split
//! into labels of at most 32 characters (a DNS label may have at most 63), followed by
//! [`NODE_NAME_SUFFIX`], e.g. `0123…ef.0123…ef.hechain-node`.

use crate::NetError;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;

/// The DNS suffix of the subject-alternative name that carries a node id.
pub const NODE_NAME_SUFFIX: &str = "hechain-node";

/// The DNS subject-alternative name that encodes `node_id` (see the module docs).
pub fn node_dns_name(node_id: &[u8]) -> String {
    let hex = hex::encode(node_id);
    let mut labels: Vec<&str> = Vec::new();
    let mut rest = hex.as_str();
    while !rest.is_empty() {
        let (label, tail) = rest.split_at(rest.len().min(32));
        labels.push(label);
        rest = tail;
    }
    labels.push(NODE_NAME_SUFFIX);
    labels.join(".")
}

/// A member organisation's certificate authority.
pub struct OrgCa {
    org_name: String,
    cert_pem: String,
    key: KeyPair,
}

impl std::fmt::Debug for OrgCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgCa").field("org_name", &self.org_name).finish_non_exhaustive()
    }
}

/// A node's certificate and private key, both PEM.
#[derive(Clone)]
pub struct NodeCert {
    /// The node certificate (PEM), issued by an [`OrgCa`].
    pub cert_pem: String,
    /// The node's TLS private key (PKCS#8 PEM). This is not the consensus key.
    pub key_pem: String,
}

impl std::fmt::Debug for NodeCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeCert").field("cert_pem", &self.cert_pem).finish_non_exhaustive()
    }
}

/// How long a node certificate is valid: about two years (then `hechain net` issues a new one
/// from the organisation CA).
pub const NODE_CERT_DAYS: i64 = 825;

/// How long an organisation CA certificate is valid.
pub const CA_CERT_DAYS: i64 = 3650;

/// Validity from an hour ago (clocks differ a little between hosts) for `days`.
fn validity(params: &mut CertificateParams, days: i64) {
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(days);
}

/// The CA parameters are a pure function of the organisation name, so a CA can be restored from
/// its certificate and key PEM without parsing the certificate (the issuer of new certificates
/// is named by the subject; the validity of the CA's own certificate is set when it is made).
fn ca_params(org_name: &str) -> Result<CertificateParams, NetError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(pki_err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, org_name);
    dn.push(DnType::CommonName, format!("{org_name} hechain CA"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(params)
}

fn pki_err(e: rcgen::Error) -> NetError {
    NetError::Pki(e.to_string())
}

impl OrgCa {
    /// Generate a new CA (fresh ECDSA P-256 key, self-signed certificate) for `org_name`.
    pub fn generate(org_name: &str) -> Result<OrgCa, NetError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(pki_err)?;
        let mut params = ca_params(org_name)?;
        validity(&mut params, CA_CERT_DAYS);
        let cert = params.self_signed(&key).map_err(pki_err)?;
        Ok(OrgCa { org_name: org_name.to_owned(), cert_pem: cert.pem(), key })
    }

    /// Restore a CA from the PEM produced by [`Self::cert_pem`] and [`Self::key_pem`]; `org_name`
    /// must be the name it was generated with (it determines the issuer name of new certificates).
    pub fn from_pem(org_name: &str, cert_pem: &str, key_pem: &str) -> Result<OrgCa, NetError> {
        parse_certs_pem(cert_pem)?;
        let key = KeyPair::from_pem(key_pem).map_err(|e| NetError::Pem(format!("CA private key: {e}")))?;
        Ok(OrgCa { org_name: org_name.to_owned(), cert_pem: cert_pem.to_owned(), key })
    }

    /// The organisation name.
    pub fn org_name(&self) -> &str {
        &self.org_name
    }

    /// The CA certificate (PEM): a trust root for every member node.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA private key (PKCS#8 PEM). Keep it offline.
    pub fn key_pem(&self) -> String {
        self.key.serialize_pem()
    }

    /// Issue a certificate for node `node_name` whose node id (consensus public key bytes) is
    /// `node_id`. The certificate is valid for both TLS client and server authentication.
    pub fn issue_node_cert(&self, node_name: &str, node_id: &[u8]) -> Result<NodeCert, NetError> {
        if node_id.is_empty() {
            return Err(NetError::Pki("node id must not be empty".into()));
        }
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(pki_err)?;
        let mut params = CertificateParams::new(vec![node_dns_name(node_id)]).map_err(pki_err)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, self.org_name.as_str());
        dn.push(DnType::CommonName, node_name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        validity(&mut params, NODE_CERT_DAYS);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        let issuer = Issuer::new(ca_params(&self.org_name)?, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(pki_err)?;
        Ok(NodeCert { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
    }
}

/// Parse every certificate in a PEM string. Errors if there is none or one is malformed.
pub fn parse_certs_pem(pem: &str) -> Result<Vec<CertificateDer<'static>>, NetError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| NetError::Pem(format!("certificate: {e}")))?;
    if certs.is_empty() {
        return Err(NetError::Pem("no certificate found in PEM".into()));
    }
    Ok(certs)
}

/// Parse the first private key (PKCS#8, PKCS#1 or SEC1) in a PEM string.
pub fn parse_key_pem(pem: &str) -> Result<PrivateKeyDer<'static>, NetError> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| NetError::Pem(format!("private key: {e}")))
}

/// Read a PEM file into a string.
pub fn read_pem_file(path: impl AsRef<Path>) -> Result<String, NetError> {
    let path = path.as_ref();
    std::fs::read_to_string(path)
        .map_err(|source| NetError::Io { context: format!("reading {}", path.display()), source })
}

/// Write a PEM string to a file. Key files are created with mode 0600 on Unix (an existing key
/// file with looser permissions is restricted to 0600 before the key is written).
pub fn write_pem_file(path: impl AsRef<Path>, pem: &str) -> Result<(), NetError> {
    let path = path.as_ref();
    let io = |source| NetError::Io { context: format!("writing {}", path.display()), source };
    let secret = pem.contains("PRIVATE KEY");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        if secret {
            opts.mode(0o600);
        }
    }
    let mut f = opts.open(path).map_err(io)?;
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        if f.metadata().map_err(io)?.permissions().mode() & 0o077 != 0 {
            f.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
    }
    std::io::Write::write_all(&mut f, pem.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_dns_names_keep_labels_short() {
        assert_eq!(node_dns_name(&[0xab; 2]), "abab.hechain-node");
        let ed = node_dns_name(&[0x01; 32]);
        assert_eq!(ed, format!("{}.{}.hechain-node", "01".repeat(16), "01".repeat(16)));
        let sm2 = node_dns_name(&[0x02; 33]);
        assert_eq!(sm2, format!("{0}.{0}.02.hechain-node", "02".repeat(16)));
        for name in [ed, sm2] {
            assert!(rustls_pki_types::ServerName::try_from(name).is_ok());
        }
    }

    #[test]
    fn empty_node_id_is_rejected() {
        let ca = OrgCa::generate("org").unwrap();
        assert!(matches!(ca.issue_node_cert("n", &[]), Err(NetError::Pki(_))));
        assert_eq!(ca.org_name(), "org");
    }
}
