//! The ecert module's state keys: every key starts with one of its [`Module::KEY_PREFIXES`](hechain_module::Module::KEY_PREFIXES).

use hechain_module::keys::join;
use hechain_primitives::Address;

/// `ecert/c/` ‖ id (big-endian u64) → [`crate::Ecert`].
pub const ECERT_PREFIX: &[u8] = b"ecert/c/";

/// `ecert/d/` ‖ id → [`crate::Dataset`].
pub const ECERT_DATASET_PREFIX: &[u8] = b"ecert/d/";

/// `ecert/g/` ‖ id → [`crate::DataGrant`].
pub const ECERT_GRANT_PREFIX: &[u8] = b"ecert/g/";

/// `ecert/a/` ‖ subject tag (`c`/`d`) ‖ subject id ‖ seq (big-endian u64) →
/// [`crate::AuditEntry`]: one key per entry, never rewritten.
pub const ECERT_AUDIT_PREFIX: &[u8] = b"ecert/a/";

/// `ecert/an/` ‖ subject tag ‖ subject id → number of audit entries (big-endian u64).
pub const ECERT_AUDIT_COUNT_PREFIX: &[u8] = b"ecert/an/";

/// `ecert/holder/` ‖ holder ‖ certificate id → empty: certificates by holder.
pub const ECERT_HOLDER_PREFIX: &[u8] = b"ecert/holder/";

/// `ecert/issuer/` ‖ issuer ‖ certificate id → empty: certificates by issuer.
pub const ECERT_ISSUER_PREFIX: &[u8] = b"ecert/issuer/";

/// `ecert/grantee/` ‖ grantee ‖ grant id → empty: grants by grantee.
pub const ECERT_GRANTEE_PREFIX: &[u8] = b"ecert/grantee/";

/// `ecert/next/c`, `ecert/next/d`, `ecert/next/g` → next certificate, dataset, grant id (absent = 1).
pub const ECERT_NEXT_CERT: &[u8] = b"ecert/next/c";

/// See [`ECERT_NEXT_CERT`].
pub const ECERT_NEXT_DATASET: &[u8] = b"ecert/next/d";

/// See [`ECERT_NEXT_CERT`].
pub const ECERT_NEXT_GRANT: &[u8] = b"ecert/next/g";

/// Key of an e-certificate.
pub fn ecert(id: u64) -> Vec<u8> {
    join(ECERT_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a dataset.
pub fn ecert_dataset(id: u64) -> Vec<u8> {
    join(ECERT_DATASET_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a grant.
pub fn ecert_grant(id: u64) -> Vec<u8> {
    join(ECERT_GRANT_PREFIX, &[&id.to_be_bytes()])
}

/// Key of one audit entry of a subject.
pub fn ecert_audit(subject: &crate::Subject, seq: u64) -> Vec<u8> {
    join(ECERT_AUDIT_PREFIX, &[&[subject.tag()], &subject.id().to_be_bytes(), &seq.to_be_bytes()])
}

/// Key of a subject's audit entry count.
pub fn ecert_audit_count(subject: &crate::Subject) -> Vec<u8> {
    join(ECERT_AUDIT_COUNT_PREFIX, &[&[subject.tag()], &subject.id().to_be_bytes()])
}

/// Prefix of one holder's certificates.
pub fn ecert_holder_prefix(holder: &Address) -> Vec<u8> {
    join(ECERT_HOLDER_PREFIX, &[&holder.0])
}

/// Key of one holder index entry.
pub fn ecert_by_holder(holder: &Address, id: u64) -> Vec<u8> {
    join(ECERT_HOLDER_PREFIX, &[&holder.0, &id.to_be_bytes()])
}

/// Prefix of one issuer's certificates.
pub fn ecert_issuer_prefix(issuer: &Address) -> Vec<u8> {
    join(ECERT_ISSUER_PREFIX, &[&issuer.0])
}

/// Key of one issuer index entry.
pub fn ecert_by_issuer(issuer: &Address, id: u64) -> Vec<u8> {
    join(ECERT_ISSUER_PREFIX, &[&issuer.0, &id.to_be_bytes()])
}

/// Prefix of one grantee's grants.
pub fn ecert_grantee_prefix(grantee: &Address) -> Vec<u8> {
    join(ECERT_GRANTEE_PREFIX, &[&grantee.0])
}

/// Key of one grantee index entry.
pub fn ecert_by_grantee(grantee: &Address, id: u64) -> Vec<u8> {
    join(ECERT_GRANTEE_PREFIX, &[&grantee.0, &id.to_be_bytes()])
}

/// `ecert/sg/` ‖ subject tag ‖ subject id ‖ grantee ‖ grant id → empty: the grants of one
/// subject to one grantee (what an authorisation check scans).
pub const ECERT_SUBJECT_GRANTEE_PREFIX: &[u8] = b"ecert/sg/";

/// Prefix of the grants of `subject` to `grantee`.
pub fn ecert_subject_grantee_prefix(subject: &crate::Subject, grantee: &Address) -> Vec<u8> {
    join(ECERT_SUBJECT_GRANTEE_PREFIX, &[&[subject.tag()], &subject.id().to_be_bytes(), &grantee.0])
}

/// Key of one (subject, grantee) grant index entry.
pub fn ecert_by_subject_grantee(subject: &crate::Subject, grantee: &Address, grant_id: u64) -> Vec<u8> {
    join(
        ECERT_SUBJECT_GRANTEE_PREFIX,
        &[&[subject.tag()], &subject.id().to_be_bytes(), &grantee.0, &grant_id.to_be_bytes()],
    )
}
