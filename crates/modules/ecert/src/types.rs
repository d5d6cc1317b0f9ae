//! E-certificates and authorised data sharing (电子证照 / 数据共享) records.
//!
//! An issuing agency issues an e-certificate to a holder: its type, the *hashes* of its fields
//! (never their values), an encrypted reference to the off-chain document and a validity
//! window; the agency can revoke it. A holder also registers datasets (content hash, encrypted
//! reference, description). The holder grants an organisation time-limited access to a
//! certificate or dataset; the grantee logs every use under a live grant. Every issuance,
//! revocation, grant, grant revocation and use is an [`AuditEntry`] of the certificate or
//! dataset. The rules live in `hechain_execution::ecert`; this module holds the records, the
//! stateless field checks and the field-hash commitment.
//!
//! **Field commitments.** Each field is committed as
//! `H("hechain/ecert-field/v1" ‖ salt ‖ u32be(len(name)) ‖ name ‖ value)` with the chain's
//! suite hash and a 32-byte random salt per field ([`field_hash`]). The holder keeps the
//! values and salts; to disclose one field it shows that field's name, value and salt, and a
//! verifier recomputes the hash and compares it with the certificate's, learning nothing about
//! the other fields (the salts keep short values from being guessed from their hashes).

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::Suite;
use serde::{Deserialize, Serialize};

use hechain_primitives::Codec;
use hechain_primitives::TypesError;
use hechain_primitives::{check_text_field as check_text, Stamp};
use hechain_primitives::{hex_bytes, Address, H256};

/// Longest certificate type, field name or organisation label, in bytes.
pub const MAX_LABEL_BYTES: usize = 64;
/// Longest free text (revocation reason, purpose, dataset description), in bytes.
pub const MAX_TEXT_BYTES: usize = 256;
/// Longest encrypted reference, in bytes.
pub const MAX_ENCRYPTED_REF_BYTES: usize = 1024;
/// Most fields of one certificate.
pub const MAX_FIELDS: usize = 32;
/// Domain prefix of a field commitment.
pub const FIELD_HASH_DOMAIN: &[u8] = b"hechain/ecert-field/v1";

/// The commitment to one field: `H(domain ‖ salt ‖ u32be(len(name)) ‖ name ‖ value)` under the
/// chain's suite hash.
pub fn field_hash(suite: Suite, salt: &[u8; 32], name: &str, value: &[u8]) -> H256 {
    let mut m = Vec::with_capacity(FIELD_HASH_DOMAIN.len() + 36 + name.len() + value.len());
    m.extend_from_slice(FIELD_HASH_DOMAIN);
    m.extend_from_slice(salt);
    m.extend_from_slice(&(name.len() as u32).to_be_bytes());
    m.extend_from_slice(name.as_bytes());
    m.extend_from_slice(value);
    H256(suite.hash(&m))
}

/// One committed field of a certificate: its name and the hash of its salted value.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldCommitment {
    /// Field name, e.g. `name`, `id_number`, `degree`.
    pub name: String,
    /// [`field_hash`] of the field.
    pub hash: H256,
}

/// A field disclosed off chain by the holder: enough to check it against the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldDisclosure {
    /// Field name.
    pub name: String,
    /// Field value (UTF-8 text).
    pub value: String,
    /// The field's salt.
    pub salt: H256,
}

impl FieldDisclosure {
    /// Whether the disclosed value matches the certificate's commitment to that field. Errors
    /// name what is wrong: no such field, or a value/salt that does not match.
    pub fn check(&self, suite: Suite, cert: &Ecert) -> Result<(), TypesError> {
        let Some(f) = cert.fields.iter().find(|f| f.name == self.name) else {
            return Err(TypesError::Invalid(format!("certificate {} has no field {:?}", cert.id, self.name)));
        };
        if field_hash(suite, &self.salt.0, &self.name, self.value.as_bytes()) != f.hash {
            return Err(TypesError::Invalid(format!(
                "field {:?} of certificate {}: the value and salt do not match the committed hash",
                self.name, cert.id
            )));
        }
        Ok(())
    }
}

/// A revocation: when and why.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// The revoking transaction.
    pub stamp: Stamp,
    /// Reason given by the issuer.
    pub reason: String,
}

/// An issued e-certificate (电子证照).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Ecert {
    /// Sequential id, starting at 1.
    pub id: u64,
    /// Kind of certificate: business_licence, diploma, id_card, …
    pub cert_type: String,
    /// The issuing agency.
    pub issuer: Address,
    /// The holder.
    pub holder: Address,
    /// Field commitments (names unique).
    pub fields: Vec<FieldCommitment>,
    /// Encrypted reference to the off-chain document (opaque ciphertext).
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub encrypted_ref: Vec<u8>,
    /// Start of validity (ms since the Unix epoch, inclusive).
    pub not_before_ms: u64,
    /// End of validity (ms since the Unix epoch, exclusive).
    pub not_after_ms: u64,
    /// The issuance.
    pub issued: Stamp,
    /// The revocation, once revoked.
    pub revoked: Option<Revocation>,
}

impl Codec for Ecert {}

impl Ecert {
    /// Whether the certificate is valid at `now_ms`: not revoked and within its window.
    pub fn valid_at(&self, now_ms: u64) -> bool {
        self.revoked.is_none() && self.not_before_ms <= now_ms && now_ms < self.not_after_ms
    }

    /// Why the certificate is not valid at `now_ms` (`None` when it is).
    pub fn invalid_reason(&self, now_ms: u64) -> Option<String> {
        if let Some(r) = &self.revoked {
            return Some(format!("certificate {} was revoked at height {}: {}", self.id, r.stamp.height, r.reason));
        }
        if now_ms < self.not_before_ms {
            return Some(format!("certificate {} is not valid before {} ms", self.id, self.not_before_ms));
        }
        if now_ms >= self.not_after_ms {
            return Some(format!("certificate {} expired at {} ms", self.id, self.not_after_ms));
        }
        None
    }
}

/// A dataset registered by its holder for sharing.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Sequential id, starting at 1.
    pub id: u64,
    /// The holder (the registering account).
    pub holder: Address,
    /// Hash of the dataset's content.
    pub content_hash: H256,
    /// Encrypted reference to where the data lives (opaque ciphertext).
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub encrypted_ref: Vec<u8>,
    /// Description.
    pub description: String,
    /// The registration.
    pub registered: Stamp,
}

impl Codec for Dataset {}

/// What a grant or audit entry is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// An e-certificate.
    Certificate(u64),
    /// A dataset.
    Dataset(u64),
}

impl Subject {
    /// One byte naming the kind (used in state keys).
    pub fn tag(&self) -> u8 {
        match self {
            Subject::Certificate(_) => b'c',
            Subject::Dataset(_) => b'd',
        }
    }

    /// The id.
    pub fn id(&self) -> u64 {
        match self {
            Subject::Certificate(id) | Subject::Dataset(id) => *id,
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Certificate(id) => write!(f, "certificate {id}"),
            Subject::Dataset(id) => write!(f, "dataset {id}"),
        }
    }
}

/// Access granted by a holder to an organisation.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DataGrant {
    /// Sequential id, starting at 1.
    pub id: u64,
    /// The certificate or dataset.
    pub subject: Subject,
    /// The holder that granted it.
    pub grantor: Address,
    /// The organisation's account.
    pub grantee: Address,
    /// The organisation's name (a label; not verified by the chain).
    pub org: String,
    /// What the access is for.
    pub purpose: String,
    /// End of the grant (ms since the Unix epoch, exclusive).
    pub expires_ms: u64,
    /// The grant.
    pub granted: Stamp,
    /// The early revocation by the holder, if any.
    pub revoked: Option<Stamp>,
}

impl Codec for DataGrant {}

impl DataGrant {
    /// Whether the grant itself is in force at `now_ms` (not revoked, not expired). Access
    /// also needs its subject to be usable (a certificate valid at that time).
    pub fn live_at(&self, now_ms: u64) -> bool {
        self.revoked.is_none() && now_ms < self.expires_ms
    }
}

/// What an audit entry records.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuditAction {
    /// The certificate was issued (actor: the issuer).
    Issued,
    /// The dataset was registered (actor: the holder).
    Registered,
    /// The certificate was revoked (actor: the issuer).
    Revoked {
        /// The reason given.
        reason: String,
    },
    /// Access was granted (actor: the holder).
    Granted {
        /// The grant.
        grant_id: u64,
        /// The organisation's account.
        grantee: Address,
        /// Its name.
        org: String,
        /// End of the grant.
        expires_ms: u64,
    },
    /// A grant was revoked early (actor: the holder).
    GrantRevoked {
        /// The grant.
        grant_id: u64,
    },
    /// The data was used under a grant (actor: the grantee).
    Accessed {
        /// The grant.
        grant_id: u64,
        /// What for.
        purpose: String,
        /// Hash of the grantee's request (kept off chain by the grantee).
        request_hash: H256,
    },
}

/// One entry of a certificate's or dataset's audit log.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// The certificate or dataset.
    pub subject: Subject,
    /// Position in its log, starting at 0.
    pub seq: u64,
    /// Who acted.
    pub actor: Address,
    /// What happened.
    #[serde(flatten)]
    pub action: AuditAction,
    /// When and in which transaction.
    pub stamp: Stamp,
}

impl Codec for AuditEntry {}

fn check_ref(v: &[u8]) -> Result<(), TypesError> {
    if v.is_empty() {
        return Err(TypesError::Invalid("encrypted_ref is empty".into()));
    }
    if v.len() > MAX_ENCRYPTED_REF_BYTES {
        return Err(TypesError::Invalid(format!(
            "encrypted_ref is {} bytes, the limit is {MAX_ENCRYPTED_REF_BYTES}",
            v.len()
        )));
    }
    Ok(())
}

/// Stateless checks of an issuance.
pub fn validate_issue(
    cert_type: &str,
    fields: &[FieldCommitment],
    encrypted_ref: &[u8],
    not_before_ms: u64,
    not_after_ms: u64,
) -> Result<(), TypesError> {
    check_text("cert_type", cert_type, MAX_LABEL_BYTES)?;
    if fields.is_empty() || fields.len() > MAX_FIELDS {
        return Err(TypesError::Invalid(format!("a certificate has 1 to {MAX_FIELDS} fields, got {}", fields.len())));
    }
    for (i, f) in fields.iter().enumerate() {
        check_text(&format!("field {i} name"), &f.name, MAX_LABEL_BYTES)?;
        if fields[..i].iter().any(|g| g.name == f.name) {
            return Err(TypesError::Invalid(format!("field name {:?} appears twice", f.name)));
        }
    }
    check_ref(encrypted_ref)?;
    if not_after_ms <= not_before_ms {
        return Err(TypesError::Invalid(format!(
            "validity is empty: not_after_ms ({not_after_ms}) is not after not_before_ms ({not_before_ms})"
        )));
    }
    Ok(())
}

/// Stateless checks of a revocation.
pub fn validate_revoke(reason: &str) -> Result<(), TypesError> {
    check_text("reason", reason, MAX_TEXT_BYTES)
}

/// Stateless checks of a dataset registration.
pub fn validate_dataset(encrypted_ref: &[u8], description: &str) -> Result<(), TypesError> {
    check_ref(encrypted_ref)?;
    check_text("description", description, MAX_TEXT_BYTES)
}

/// Stateless checks of a grant.
pub fn validate_grant(org: &str, purpose: &str) -> Result<(), TypesError> {
    check_text("org", org, MAX_LABEL_BYTES)?;
    check_text("purpose", purpose, MAX_TEXT_BYTES)
}

/// Stateless checks of an access.
pub fn validate_access(purpose: &str) -> Result<(), TypesError> {
    check_text("purpose", purpose, MAX_TEXT_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(fields: Vec<FieldCommitment>) -> Ecert {
        let stamp = Stamp { tx_hash: H256::ZERO, height: 1, timestamp_ms: 0 };
        Ecert {
            id: 1,
            cert_type: "diploma".into(),
            issuer: Address([1; 20]),
            holder: Address([2; 20]),
            fields,
            encrypted_ref: vec![1, 2, 3],
            not_before_ms: 100,
            not_after_ms: 200,
            issued: stamp,
            revoked: None,
        }
    }

    #[test]
    fn one_field_discloses_without_the_others() {
        for suite in [Suite::Standard, Suite::Gm] {
            let (s1, s2) = ([7u8; 32], [9u8; 32]);
            let c = cert(vec![
                FieldCommitment { name: "name".into(), hash: field_hash(suite, &s1, "name", "张三".as_bytes()) },
                FieldCommitment { name: "degree".into(), hash: field_hash(suite, &s2, "degree", b"BSc") },
            ]);
            let ok = FieldDisclosure { name: "degree".into(), value: "BSc".into(), salt: H256(s2) };
            assert!(ok.check(suite, &c).is_ok());
            let wrong_value = FieldDisclosure { value: "PhD".into(), ..ok.clone() };
            assert!(wrong_value.check(suite, &c).unwrap_err().to_string().contains("do not match"));
            let wrong_salt = FieldDisclosure { salt: H256(s1), ..ok.clone() };
            assert!(wrong_salt.check(suite, &c).is_err());
            // The same value under another field name does not verify either.
            let moved = FieldDisclosure { name: "name".into(), value: "BSc".into(), salt: H256(s2) };
            assert!(moved.check(suite, &c).is_err());
            let missing = FieldDisclosure { name: "age".into(), ..ok };
            assert!(missing.check(suite, &c).unwrap_err().to_string().contains("no field \"age\""));
        }
        // The name length prefix keeps name/value boundaries unambiguous.
        let s = [0u8; 32];
        assert_ne!(field_hash(Suite::Standard, &s, "ab", b"c"), field_hash(Suite::Standard, &s, "a", b"bc"));
    }

    #[test]
    fn validity_window_and_revocation() {
        let mut c = cert(vec![]);
        assert!(!c.valid_at(99) && c.valid_at(100) && c.valid_at(199) && !c.valid_at(200));
        assert!(c.invalid_reason(200).unwrap().contains("expired"));
        c.revoked = Some(Revocation {
            stamp: Stamp { tx_hash: H256::ZERO, height: 3, timestamp_ms: 150 },
            reason: "forged".into(),
        });
        assert!(!c.valid_at(150));
        assert!(c.invalid_reason(150).unwrap().contains("revoked at height 3: forged"));
    }

    #[test]
    fn field_checks_name_the_field() {
        let f = |n: &str| FieldCommitment { name: n.into(), hash: H256::ZERO };
        assert!(validate_issue("diploma", &[f("a")], &[1], 0, 1).is_ok());
        let e = validate_issue(" ", &[f("a")], &[1], 0, 1).unwrap_err().to_string();
        assert!(e.contains("cert_type is empty"), "{e}");
        let e = validate_issue("diploma", &[], &[1], 0, 1).unwrap_err().to_string();
        assert!(e.contains("1 to 32 fields, got 0"), "{e}");
        let e = validate_issue("diploma", &[f("a"), f("a")], &[1], 0, 1).unwrap_err().to_string();
        assert!(e.contains("appears twice"), "{e}");
        let e = validate_issue("diploma", &[f("a")], &[], 0, 1).unwrap_err().to_string();
        assert!(e.contains("encrypted_ref is empty"), "{e}");
        let e = validate_issue("diploma", &[f("a")], &[0; 1025], 0, 1).unwrap_err().to_string();
        assert!(e.contains("encrypted_ref is 1025 bytes, the limit is 1024"), "{e}");
        let e = validate_issue("diploma", &[f("a")], &[1], 5, 5).unwrap_err().to_string();
        assert!(e.contains("validity is empty"), "{e}");
        assert!(validate_grant("", "audit").unwrap_err().to_string().contains("org is empty"));
        assert!(validate_access(&"x".repeat(257)).unwrap_err().to_string().contains("purpose is 257 bytes"));
        assert!(validate_dataset(&[1], "").unwrap_err().to_string().contains("description is empty"));
        assert!(validate_revoke("").unwrap_err().to_string().contains("reason is empty"));
    }

    #[test]
    fn records_round_trip() {
        let c = cert(vec![FieldCommitment { name: "n".into(), hash: H256([3; 32]) }]);
        assert_eq!(Ecert::decode(&c.encode()).unwrap(), c);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Ecert>(&json).unwrap(), c);
        let e = AuditEntry {
            subject: Subject::Dataset(4),
            seq: 2,
            actor: Address([5; 20]),
            action: AuditAction::Accessed { grant_id: 1, purpose: "kyc".into(), request_hash: H256([6; 32]) },
            stamp: c.issued,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["action"], "accessed");
        assert_eq!(json["subject"]["kind"], "dataset");
        assert_eq!(serde_json::from_value::<AuditEntry>(json).unwrap(), e);
        assert_eq!(AuditEntry::decode(&e.encode()).unwrap(), e);
    }
}
