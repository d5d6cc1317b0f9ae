//! Layout of the state key space. Every module owns one prefix; keys are
//! raw bytes, and the state tree indexes them by their suite hash.

use crate::{Address, H256};

/// `acct/` ‖ address → [`crate::Account`].
pub const ACCOUNT_PREFIX: &[u8] = b"acct/";
/// `evid/rec/` ‖ id (big-endian u64) → [`crate::EvidenceRecord`].
pub const EVIDENCE_RECORD_PREFIX: &[u8] = b"evid/rec/";
/// `evid/hash/` ‖ content hash → id (big-endian u64).
pub const EVIDENCE_HASH_PREFIX: &[u8] = b"evid/hash/";
/// `evid/sub/` ‖ submitter ‖ id (big-endian) → empty: records by submitter, in id order.
pub const EVIDENCE_SUBMITTER_PREFIX: &[u8] = b"evid/sub/";
/// `evid/next` → next evidence id (big-endian u64).
pub const EVIDENCE_NEXT_ID: &[u8] = b"evid/next";

fn join(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    k.extend_from_slice(prefix);
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

/// Key of an account.
pub fn account(addr: &Address) -> Vec<u8> {
    join(ACCOUNT_PREFIX, &[&addr.0])
}

/// Key of an evidence record.
pub fn evidence_record(id: u64) -> Vec<u8> {
    join(EVIDENCE_RECORD_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the content-hash index entry.
pub fn evidence_by_hash(content_hash: &H256) -> Vec<u8> {
    join(EVIDENCE_HASH_PREFIX, &[&content_hash.0])
}

/// Prefix of one submitter's index entries.
pub fn evidence_submitter_prefix(submitter: &Address) -> Vec<u8> {
    join(EVIDENCE_SUBMITTER_PREFIX, &[&submitter.0])
}

/// Key of one submitter index entry.
pub fn evidence_by_submitter(submitter: &Address, id: u64) -> Vec<u8> {
    join(EVIDENCE_SUBMITTER_PREFIX, &[&submitter.0, &id.to_be_bytes()])
}

/// Decodes the id at the end of an index key (submitter or owner index).
pub fn trailing_id(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// `evm/code/` ‖ address → keccak256(code) ‖ code: a contract's runtime code.
pub const EVM_CODE_PREFIX: &[u8] = b"evm/code/";
/// `evm/slot/` ‖ address ‖ slot (32 bytes) → value (32 bytes, big-endian; absent = zero).
pub const EVM_SLOT_PREFIX: &[u8] = b"evm/slot/";

/// Key of a contract's code.
pub fn evm_code(addr: &Address) -> Vec<u8> {
    join(EVM_CODE_PREFIX, &[&addr.0])
}

/// Key of a contract storage slot.
pub fn evm_slot(addr: &Address, slot: &[u8; 32]) -> Vec<u8> {
    join(EVM_SLOT_PREFIX, &[&addr.0, slot])
}

/// `copy/work/` ‖ id (big-endian u64) → [`crate::CopyrightWork`].
pub const COPYRIGHT_WORK_PREFIX: &[u8] = b"copy/work/";
/// `copy/hash/` ‖ content hash → work id (big-endian u64).
pub const COPYRIGHT_HASH_PREFIX: &[u8] = b"copy/hash/";
/// `copy/owner/` ‖ owner ‖ id (big-endian) → empty: works by current owner, in id order.
pub const COPYRIGHT_OWNER_PREFIX: &[u8] = b"copy/owner/";
/// `copy/lic/` ‖ work id ‖ index (big-endian u32) → [`crate::CopyrightLicense`].
pub const COPYRIGHT_LICENSE_PREFIX: &[u8] = b"copy/lic/";
/// `copy/next` → next work id (big-endian u64; absent = 1).
pub const COPYRIGHT_NEXT_ID: &[u8] = b"copy/next";

/// Key of a registered work.
pub fn copyright_work(id: u64) -> Vec<u8> {
    join(COPYRIGHT_WORK_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the content-hash index entry of a work.
pub fn copyright_by_hash(content_hash: &H256) -> Vec<u8> {
    join(COPYRIGHT_HASH_PREFIX, &[&content_hash.0])
}

/// Prefix of one owner's index entries.
pub fn copyright_owner_prefix(owner: &Address) -> Vec<u8> {
    join(COPYRIGHT_OWNER_PREFIX, &[&owner.0])
}

/// Key of one owner index entry.
pub fn copyright_by_owner(owner: &Address, id: u64) -> Vec<u8> {
    join(COPYRIGHT_OWNER_PREFIX, &[&owner.0, &id.to_be_bytes()])
}

/// Key of a work's license.
pub fn copyright_license(work_id: u64, index: u32) -> Vec<u8> {
    join(COPYRIGHT_LICENSE_PREFIX, &[&work_id.to_be_bytes(), &index.to_be_bytes()])
}

/// `vch/v/` ‖ id (big-endian u64) → [`crate::Voucher`].
pub const VOUCHER_PREFIX: &[u8] = b"vch/v/";
/// `vch/p/` ‖ part id (big-endian u64) → [`crate::VoucherPart`].
pub const VOUCHER_PART_PREFIX: &[u8] = b"vch/p/";
/// `vch/holder/` ‖ holder ‖ part id → empty: live parts (active or pledged) by holder.
pub const VOUCHER_HOLDER_PREFIX: &[u8] = b"vch/holder/";
/// `vch/issuer/` ‖ issuer ‖ voucher id → empty: vouchers by issuer.
pub const VOUCHER_ISSUER_PREFIX: &[u8] = b"vch/issuer/";
/// `vch/next` → next voucher id (absent = 1).
pub const VOUCHER_NEXT_ID: &[u8] = b"vch/next";
/// `vch/pnext` → next part id (absent = 1).
pub const VOUCHER_NEXT_PART: &[u8] = b"vch/pnext";

/// Key of a voucher.
pub fn voucher(id: u64) -> Vec<u8> {
    join(VOUCHER_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a voucher part.
pub fn voucher_part(id: u64) -> Vec<u8> {
    join(VOUCHER_PART_PREFIX, &[&id.to_be_bytes()])
}

/// Prefix of one holder's live parts.
pub fn voucher_holder_prefix(holder: &Address) -> Vec<u8> {
    join(VOUCHER_HOLDER_PREFIX, &[&holder.0])
}

/// Key of one holder index entry.
pub fn voucher_by_holder(holder: &Address, part: u64) -> Vec<u8> {
    join(VOUCHER_HOLDER_PREFIX, &[&holder.0, &part.to_be_bytes()])
}

/// Prefix of one issuer's vouchers.
pub fn voucher_issuer_prefix(issuer: &Address) -> Vec<u8> {
    join(VOUCHER_ISSUER_PREFIX, &[&issuer.0])
}

/// Key of one issuer index entry.
pub fn voucher_by_issuer(issuer: &Address, id: u64) -> Vec<u8> {
    join(VOUCHER_ISSUER_PREFIX, &[&issuer.0, &id.to_be_bytes()])
}

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

/// `gov/params` → [`crate::ChainParams`] in force (written at genesis, replaced by
/// governance).
pub const GOV_PARAMS: &[u8] = b"gov/params";
/// The membership in force ([`crate::Membership`]): organisations, validators, observers.
pub const GOV_MEMBERSHIP: &[u8] = b"gov/members";
/// Prefix of the membership each epoch started with (`gov/epoch/<epoch be8>`).
pub const GOV_EPOCH_PREFIX: &[u8] = b"gov/epoch/";
/// `gov/config` → [`crate::GovConfig`] (absent: governance disabled).
pub const GOV_CONFIG: &[u8] = b"gov/config";
/// `gov/perm` → [`crate::Permissions`] (absent: everything open).
pub const GOV_PERMISSIONS: &[u8] = b"gov/perm";
/// `gov/committee` → [`crate::governance::Committee`].
pub const GOV_COMMITTEE: &[u8] = b"gov/committee";
/// `gov/open` → [`crate::governance::OpenProposals`].
pub const GOV_OPEN: &[u8] = b"gov/open";
/// `gov/next` → next proposal id (big-endian u64; absent = 1).
pub const GOV_NEXT_ID: &[u8] = b"gov/next";
/// `gov/frozen_count` → number of frozen accounts (big-endian u64; absent = 0), so that
/// admission and execution skip the per-sender look-up while nothing is frozen.
pub const GOV_FROZEN_COUNT: &[u8] = b"gov/frozen_count";
/// `gov/prop/` ‖ id (big-endian u64) → [`crate::Proposal`].
pub const GOV_PROPOSAL_PREFIX: &[u8] = b"gov/prop/";
/// `gov/vote/` ‖ proposal id ‖ voter → [`crate::Vote`].
pub const GOV_VOTE_PREFIX: &[u8] = b"gov/vote/";
/// `gov/role/` ‖ address → [`crate::Roles`] (absent: none).
pub const GOV_ROLE_PREFIX: &[u8] = b"gov/role/";
/// `gov/frozen/` ‖ address → [`crate::FreezeRecord`].
pub const GOV_FROZEN_PREFIX: &[u8] = b"gov/frozen/";

/// Key of a proposal.
pub fn gov_proposal(id: u64) -> Vec<u8> {
    join(GOV_PROPOSAL_PREFIX, &[&id.to_be_bytes()])
}

/// Prefix of a proposal's votes.
pub fn gov_votes_prefix(id: u64) -> Vec<u8> {
    join(GOV_VOTE_PREFIX, &[&id.to_be_bytes()])
}

/// Key of a member's vote on a proposal.
pub fn gov_vote(id: u64, voter: &Address) -> Vec<u8> {
    join(GOV_VOTE_PREFIX, &[&id.to_be_bytes(), &voter.0])
}

/// Key of the membership epoch `epoch` started with.
pub fn gov_epoch(epoch: u64) -> Vec<u8> {
    join(GOV_EPOCH_PREFIX, &[&epoch.to_be_bytes()])
}

/// Key of an account's roles.
pub fn gov_roles(a: &Address) -> Vec<u8> {
    join(GOV_ROLE_PREFIX, &[&a.0])
}

/// Key of an account's freeze record.
pub fn gov_frozen(a: &Address) -> Vec<u8> {
    join(GOV_FROZEN_PREFIX, &[&a.0])
}

/// `trace/batch/` ‖ id (big-endian u64) → [`crate::TraceBatch`].
pub const TRACE_BATCH_PREFIX: &[u8] = b"trace/batch/";
/// `trace/item/` ‖ id (big-endian u64) → [`crate::TraceItem`].
pub const TRACE_ITEM_PREFIX: &[u8] = b"trace/item/";
/// `trace/code/` ‖ code (UTF-8) → item id (big-endian u64).
pub const TRACE_CODE_PREFIX: &[u8] = b"trace/code/";
/// `trace/ev/` ‖ item id ‖ index (big-endian u32) → [`crate::TraceEvent`].
pub const TRACE_EVENT_PREFIX: &[u8] = b"trace/ev/";
/// `trace/bitem/` ‖ batch id ‖ item id → empty: a batch's items, in id order.
pub const TRACE_BATCH_ITEM_PREFIX: &[u8] = b"trace/bitem/";
/// `trace/prod/` ‖ producer ‖ batch id → empty: batches by producer.
pub const TRACE_PRODUCER_PREFIX: &[u8] = b"trace/prod/";
/// `trace/cust/` ‖ custodian ‖ item id → empty: items by current custodian.
pub const TRACE_CUSTODIAN_PREFIX: &[u8] = b"trace/cust/";
/// `trace/pend/` ‖ receiver ‖ item id → empty: items offered to a receiver, not yet answered.
pub const TRACE_PENDING_PREFIX: &[u8] = b"trace/pend/";
/// `trace/bauth/` ‖ batch id ‖ account → [`crate::TraceGrant`].
pub const TRACE_BATCH_AUTH_PREFIX: &[u8] = b"trace/bauth/";
/// `trace/iauth/` ‖ item id ‖ account → [`crate::TraceGrant`].
pub const TRACE_ITEM_AUTH_PREFIX: &[u8] = b"trace/iauth/";
/// `trace/next_batch` → next batch id (absent = 1).
pub const TRACE_NEXT_BATCH: &[u8] = b"trace/next_batch";
/// `trace/next_item` → next item id (absent = 1).
pub const TRACE_NEXT_ITEM: &[u8] = b"trace/next_item";

/// Key of a batch.
pub fn trace_batch(id: u64) -> Vec<u8> {
    join(TRACE_BATCH_PREFIX, &[&id.to_be_bytes()])
}

/// Key of an item.
pub fn trace_item(id: u64) -> Vec<u8> {
    join(TRACE_ITEM_PREFIX, &[&id.to_be_bytes()])
}

/// Key of the code index entry of an item.
pub fn trace_code(code: &str) -> Vec<u8> {
    join(TRACE_CODE_PREFIX, &[code.as_bytes()])
}

/// Key of an item's event.
pub fn trace_event(item: u64, index: u32) -> Vec<u8> {
    join(TRACE_EVENT_PREFIX, &[&item.to_be_bytes(), &index.to_be_bytes()])
}

/// Prefix of a batch's item index entries.
pub fn trace_batch_items_prefix(batch: u64) -> Vec<u8> {
    join(TRACE_BATCH_ITEM_PREFIX, &[&batch.to_be_bytes()])
}

/// Key of one batch item index entry.
pub fn trace_batch_item(batch: u64, item: u64) -> Vec<u8> {
    join(TRACE_BATCH_ITEM_PREFIX, &[&batch.to_be_bytes(), &item.to_be_bytes()])
}

/// Prefix of one producer's batches.
pub fn trace_producer_prefix(producer: &Address) -> Vec<u8> {
    join(TRACE_PRODUCER_PREFIX, &[&producer.0])
}

/// Key of one producer index entry.
pub fn trace_by_producer(producer: &Address, batch: u64) -> Vec<u8> {
    join(TRACE_PRODUCER_PREFIX, &[&producer.0, &batch.to_be_bytes()])
}

/// Prefix of one custodian's items.
pub fn trace_custodian_prefix(custodian: &Address) -> Vec<u8> {
    join(TRACE_CUSTODIAN_PREFIX, &[&custodian.0])
}

/// Key of one custodian index entry.
pub fn trace_by_custodian(custodian: &Address, item: u64) -> Vec<u8> {
    join(TRACE_CUSTODIAN_PREFIX, &[&custodian.0, &item.to_be_bytes()])
}

/// Prefix of the items offered to one receiver.
pub fn trace_pending_prefix(receiver: &Address) -> Vec<u8> {
    join(TRACE_PENDING_PREFIX, &[&receiver.0])
}

/// Key of one pending-offer index entry.
pub fn trace_pending(receiver: &Address, item: u64) -> Vec<u8> {
    join(TRACE_PENDING_PREFIX, &[&receiver.0, &item.to_be_bytes()])
}

/// Key of a batch authorisation.
pub fn trace_batch_auth(batch: u64, account: &Address) -> Vec<u8> {
    join(TRACE_BATCH_AUTH_PREFIX, &[&batch.to_be_bytes(), &account.0])
}

/// Key of an item authorisation.
pub fn trace_item_auth(item: u64, account: &Address) -> Vec<u8> {
    join(TRACE_ITEM_AUTH_PREFIX, &[&item.to_be_bytes(), &account.0])
}
