//! What an e-certificate-module certificate proves (record kinds `ecert`, `dataset`,
//! `data_grant`), and how people read them (the CLI and `hechain verify-cert`).

use hechain_module::record::ModuleRecord;
use hechain_primitives::display::format_ms;
use hechain_primitives::Codec;
use serde::{Deserialize, Serialize};

use crate::{keys, DataGrant, Dataset, Ecert};

/// An e-certificate-module record a certificate can prove.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record")]
pub enum EcertRecord {
    /// An e-certificate: its issuer, holder, field hashes and revocation state.
    #[serde(rename = "ecert")]
    Ecert(Ecert),
    /// A registered dataset.
    #[serde(rename = "dataset")]
    Dataset(Dataset),
    /// An access grant.
    #[serde(rename = "data_grant")]
    DataGrant(DataGrant),
}

impl ModuleRecord for EcertRecord {
    const KINDS: &'static [&'static str] = &["ecert", "dataset", "data_grant"];

    fn kind(&self) -> &'static str {
        match self {
            EcertRecord::Ecert(_) => "ecert",
            EcertRecord::Dataset(_) => "dataset",
            EcertRecord::DataGrant(_) => "data_grant",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            EcertRecord::Ecert(c) => keys::ecert(c.id),
            EcertRecord::Dataset(d) => keys::ecert_dataset(d.id),
            EcertRecord::DataGrant(g) => keys::ecert_grant(g.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            EcertRecord::Ecert(c) => c.encode(),
            EcertRecord::Dataset(d) => d.encode(),
            EcertRecord::DataGrant(g) => g.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            EcertRecord::Ecert(_) | EcertRecord::Dataset(_) | EcertRecord::DataGrant(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            EcertRecord::Ecert(_) | EcertRecord::Dataset(_) | EcertRecord::DataGrant(_) => Ok(()),
        }
    }

    fn describe(&self) -> String {
        match self {
            EcertRecord::Ecert(c) => ecert_text(c),
            EcertRecord::Dataset(d) => dataset_text(d),
            EcertRecord::DataGrant(g) => grant_text(g),
        }
    }
}

/// An e-certificate in a few lines.
pub fn ecert_text(c: &Ecert) -> String {
    let fields: Vec<&str> = c.fields.iter().map(|f| f.name.as_str()).collect();
    format!(
        "e-certificate {} ({}) issued by {} to {}\n  valid         {} – {}\n  fields        {}\n  issued        {} (height {}, tx {})\n  {}",
        c.id,
        c.cert_type,
        c.issuer.to_checksum(),
        c.holder.to_checksum(),
        format_ms(c.not_before_ms),
        format_ms(c.not_after_ms),
        fields.join(", "),
        format_ms(c.issued.timestamp_ms),
        c.issued.height,
        c.issued.tx_hash,
        match &c.revoked {
            Some(r) => format!("REVOKED       {} (height {}): {}", format_ms(r.stamp.timestamp_ms), r.stamp.height, r.reason),
            None => "not revoked".to_string(),
        }
    )
}

/// A dataset in a few lines.
pub fn dataset_text(d: &Dataset) -> String {
    format!(
        "dataset {} held by {}: {}\n  content hash  {}\n  registered    {} (height {}, tx {})",
        d.id,
        d.holder.to_checksum(),
        d.description,
        d.content_hash,
        format_ms(d.registered.timestamp_ms),
        d.registered.height,
        d.registered.tx_hash
    )
}

/// A grant in a few lines.
pub fn grant_text(g: &DataGrant) -> String {
    format!(
        "grant {} on {} by {} to {} ({})\n  purpose       {}\n  until         {}\n  granted       {} (height {}){}",
        g.id,
        g.subject,
        g.grantor.to_checksum(),
        g.org,
        g.grantee.to_checksum(),
        g.purpose,
        format_ms(g.expires_ms),
        format_ms(g.granted.timestamp_ms),
        g.granted.height,
        g.revoked
            .map(|r| format!("\n  REVOKED       {} (height {})", format_ms(r.timestamp_ms), r.height))
            .unwrap_or_default()
    )
}
