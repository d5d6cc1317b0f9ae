//! E-certificates and authorised data sharing (电子证照 / 数据共享): issue, revoke, register
//! datasets, grant and revoke access, log uses.
//!
//! Rules and invariants, enforced here and checked by property tests:
//! - only the issuer revokes a certificate, once; a revoked or expired certificate is not valid
//!   (`Ecert::valid_at`) and can be neither granted nor accessed;
//! - only the holder of a certificate or dataset grants access to it, and only the holder that
//!   granted a grant revokes it;
//! - a use (`data_access`) is accepted only from the grantee of a live grant (not revoked, not
//!   expired) whose subject is usable at the block time (a certificate valid then; a dataset
//!   always), and every use is logged;
//! - every issuance, registration, revocation, grant, grant revocation and use appends one
//!   [`AuditEntry`] to its subject's log under its own key (`ecert/a/…/seq`) and bumps the
//!   subject's counter; entries are never rewritten, so the log is append-only and its length
//!   is the counter.
//!
//! Each operation checks everything before writing, so a refusal writes nothing.

use hechain_module::exec::{
    counter, read, read_u64, BlockInfo as BlockContext, Host, StateError, StateScan, StateView as StateRead,
};
use hechain_primitives::{Address, Codec, Stamp, H256};

/// Outcome of a module operation: events, or the refusal reason.
pub type Outcome = hechain_module::exec::Outcome<EcertEvent>;

#[allow(unused_imports)]
use crate::{keys, types::*, EcertCall, EcertEvent};

/// The certificate with id `id`.
pub fn certificate<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<Ecert>, StateError> {
    read(s, &keys::ecert(id))
}

/// The dataset with id `id`.
pub fn dataset<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<Dataset>, StateError> {
    read(s, &keys::ecert_dataset(id))
}

/// The grant with id `id`.
pub fn grant<S: StateRead + ?Sized>(s: &S, id: u64) -> Result<Option<DataGrant>, StateError> {
    read(s, &keys::ecert_grant(id))
}

/// Number of entries in a subject's audit log.
pub fn audit_len<S: StateRead + ?Sized>(s: &S, subject: &Subject) -> Result<u64, StateError> {
    Ok(read_u64(s, &keys::ecert_audit_count(subject))?.unwrap_or(0))
}

/// Entry `seq` of a subject's audit log.
pub fn audit_entry<S: StateRead + ?Sized>(
    s: &S,
    subject: &Subject,
    seq: u64,
) -> Result<Option<AuditEntry>, StateError> {
    read(s, &keys::ecert_audit(subject, seq))
}

/// Up to `limit` audit entries of a subject from position `from` on, in order.
pub fn audit_page<S: StateRead + ?Sized>(
    s: &S,
    subject: &Subject,
    from: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StateError> {
    let len = audit_len(s, subject)?;
    let mut out = Vec::new();
    let mut seq = from;
    while seq < len && out.len() < limit {
        let e = audit_entry(s, subject, seq)?.ok_or_else(|| StateError::Corrupt {
            key: hechain_module::exec::hex_key(&keys::ecert_audit(subject, seq)),
            reason: "audit entry missing below the count".into(),
        })?;
        out.push(e);
        seq += 1;
    }
    Ok(out)
}

/// The holder of a subject, or why it cannot be used at `now_ms` (`Err` = refusal reason).
/// `need_valid` asks for a certificate valid at `now_ms`; otherwise only not revoked and not
/// expired (a grant may be made before the certificate's validity starts).
fn usable_subject<S: StateRead + ?Sized>(
    s: &S,
    subject: &Subject,
    now_ms: u64,
    need_valid: bool,
) -> Result<Result<Address, String>, StateError> {
    match subject {
        Subject::Certificate(id) => {
            let Some(c) = certificate(s, *id)? else { return Ok(Err(format!("no e-certificate has id {id}"))) };
            let reason = if need_valid {
                c.invalid_reason(now_ms)
            } else if c.revoked.is_some() || now_ms >= c.not_after_ms {
                c.invalid_reason(now_ms.max(c.not_before_ms))
            } else {
                None
            };
            Ok(match reason {
                Some(r) => Err(r),
                None => Ok(c.holder),
            })
        }
        Subject::Dataset(id) => Ok(match dataset(s, *id)? {
            Some(d) => Ok(d.holder),
            None => Err(format!("no dataset has id {id}")),
        }),
    }
}

/// Whether `grantee` may use the subject of `grant` at `now_ms` under it: the grant is to
/// `grantee`, not revoked, not expired, and its subject is usable then (a certificate valid at
/// `now_ms`). `Err` says why not. Used by `data_access` and by the verifier queries.
pub fn authorised<S: StateRead + ?Sized>(
    s: &S,
    grant: &DataGrant,
    grantee: &Address,
    now_ms: u64,
) -> Result<Result<(), String>, StateError> {
    if grant.grantee != *grantee {
        return Ok(Err(format!("grant {} is to {}, not to {grantee}", grant.id, grant.grantee)));
    }
    if let Some(r) = &grant.revoked {
        return Ok(Err(format!("grant {} was revoked at height {}", grant.id, r.height)));
    }
    if now_ms >= grant.expires_ms {
        return Ok(Err(format!("grant {} expired at {} ms", grant.id, grant.expires_ms)));
    }
    Ok(usable_subject(s, &grant.subject, now_ms, true)?.map(|_| ()))
}

/// Answer to "may `grantee` use `subject` at `at_ms`?".
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Authorisation {
    /// Whether some grant to `grantee` on `subject` authorises use at `at_ms`.
    pub authorized: bool,
    /// That grant (the first live one, by id).
    pub grant_id: Option<u64>,
    /// Why not, when not: the reason of the newest grant to `grantee`, or that there is none.
    pub reason: Option<String>,
}

/// Whether `grantee` holds a grant on `subject` that authorises use at `at_ms` (a verifier's
/// query; reads the `ecert/sg/` index of a committed snapshot).
pub fn authorisation(
    reader: &(impl StateScan + ?Sized),
    subject: &Subject,
    grantee: &Address,
    at_ms: u64,
) -> Result<Authorisation, StateError> {
    let prefix = keys::ecert_subject_grantee_prefix(subject, grantee);
    let mut after: Option<Vec<u8>> = None;
    let mut reason = None;
    loop {
        let entries = reader.scan(&prefix, after.as_deref(), 256)?;
        let Some((last, _)) = entries.last() else { break };
        after = Some(last.clone());
        for (key, _) in &entries {
            let id = hechain_module::keys::trailing_id(key).ok_or_else(|| StateError::Corrupt {
                key: hechain_module::exec::hex_key(key),
                reason: "malformed grant index key".into(),
            })?;
            let g = grant(reader, id)?.ok_or_else(|| StateError::Corrupt {
                key: hechain_module::exec::hex_key(&keys::ecert_grant(id)),
                reason: "indexed grant missing".into(),
            })?;
            match authorised(reader, &g, grantee, at_ms)? {
                Ok(()) => return Ok(Authorisation { authorized: true, grant_id: Some(id), reason: None }),
                Err(r) => reason = Some(r),
            }
        }
        if entries.len() < 256 {
            break;
        }
    }
    let reason = reason.unwrap_or_else(|| format!("{grantee} holds no grant on {subject}"));
    Ok(Authorisation { authorized: false, grant_id: None, reason: Some(reason) })
}

fn append_audit<H: Host + ?Sized>(
    o: &mut H,
    subject: Subject,
    actor: &Address,
    action: AuditAction,
    stamp: Stamp,
) -> Result<u64, StateError> {
    let count_key = keys::ecert_audit_count(&subject);
    let seq = read_u64(o, &count_key)?.unwrap_or(0);
    let e = AuditEntry { subject, seq, actor: *actor, action, stamp };
    o.put(keys::ecert_audit(&subject, seq), e.encode());
    o.put(count_key, (seq + 1).to_be_bytes().to_vec());
    Ok(seq)
}

/// Issues a certificate from the sender (the issuing agency) to `holder`.
#[allow(clippy::too_many_arguments)]
pub fn issue<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    issuer: &Address,
    tx_hash: H256,
    cert_type: &str,
    holder: &Address,
    fields: &[FieldCommitment],
    encrypted_ref: &[u8],
    not_before_ms: u64,
    not_after_ms: u64,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_issue(cert_type, fields, encrypted_ref, not_before_ms, not_after_ms) {
        return Ok(Err(e.to_string()));
    }
    if not_after_ms <= ctx.timestamp_ms {
        return Ok(Err(format!("not_after_ms {not_after_ms} is not after the block time {}", ctx.timestamp_ms)));
    }
    if holder == issuer {
        return Ok(Err(format!("{issuer} cannot issue an e-certificate to itself")));
    }
    let id = counter(o, keys::ECERT_NEXT_CERT)?;
    let s = ctx.stamp(tx_hash);
    let c = Ecert {
        id,
        cert_type: cert_type.to_string(),
        issuer: *issuer,
        holder: *holder,
        fields: fields.to_vec(),
        encrypted_ref: encrypted_ref.to_vec(),
        not_before_ms,
        not_after_ms,
        issued: s,
        revoked: None,
    };
    o.put(keys::ecert(id), c.encode());
    o.put(keys::ecert_by_holder(holder, id), Vec::new());
    o.put(keys::ecert_by_issuer(issuer, id), Vec::new());
    o.put(keys::ECERT_NEXT_CERT.to_vec(), (id + 1).to_be_bytes().to_vec());
    append_audit(o, Subject::Certificate(id), issuer, AuditAction::Issued, s)?;
    Ok(Ok(vec![EcertEvent::Issued { id, issuer: *issuer, holder: *holder }]))
}

/// Revokes a certificate (sender: its issuer).
pub fn revoke<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    cert_id: u64,
    reason: &str,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_revoke(reason) {
        return Ok(Err(e.to_string()));
    }
    let Some(mut c) = certificate(o, cert_id)? else {
        return Ok(Err(format!("no e-certificate has id {cert_id}")));
    };
    if c.issuer != *sender {
        return Ok(Err(format!(
            "only the issuer {} may revoke e-certificate {cert_id}; the sender is {sender}",
            c.issuer
        )));
    }
    if let Some(r) = &c.revoked {
        return Ok(Err(format!("e-certificate {cert_id} was already revoked at height {}", r.stamp.height)));
    }
    let s = ctx.stamp(tx_hash);
    c.revoked = Some(Revocation { stamp: s, reason: reason.to_string() });
    o.put(keys::ecert(cert_id), c.encode());
    append_audit(o, Subject::Certificate(cert_id), sender, AuditAction::Revoked { reason: reason.to_string() }, s)?;
    Ok(Ok(vec![EcertEvent::Revoked { id: cert_id }]))
}

/// Registers a dataset held by the sender.
pub fn register_dataset<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    content_hash: &H256,
    encrypted_ref: &[u8],
    description: &str,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_dataset(encrypted_ref, description) {
        return Ok(Err(e.to_string()));
    }
    let id = counter(o, keys::ECERT_NEXT_DATASET)?;
    let s = ctx.stamp(tx_hash);
    let d = Dataset {
        id,
        holder: *sender,
        content_hash: *content_hash,
        encrypted_ref: encrypted_ref.to_vec(),
        description: description.to_string(),
        registered: s,
    };
    o.put(keys::ecert_dataset(id), d.encode());
    o.put(keys::ECERT_NEXT_DATASET.to_vec(), (id + 1).to_be_bytes().to_vec());
    append_audit(o, Subject::Dataset(id), sender, AuditAction::Registered, s)?;
    Ok(Ok(vec![EcertEvent::DatasetRegistered { id, holder: *sender, content_hash: *content_hash }]))
}

/// Grants `grantee` access to a subject held by the sender until `expires_ms`.
#[allow(clippy::too_many_arguments)]
pub fn grant_access<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    subject: &Subject,
    grantee: &Address,
    org: &str,
    purpose: &str,
    expires_ms: u64,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_grant(org, purpose) {
        return Ok(Err(e.to_string()));
    }
    let holder = match usable_subject(o, subject, ctx.timestamp_ms, false)? {
        Ok(h) => h,
        Err(e) => return Ok(Err(e)),
    };
    if holder != *sender {
        return Ok(Err(format!(
            "only the holder {holder} of {subject} may grant access to it; the sender is {sender}"
        )));
    }
    if grantee == sender {
        return Ok(Err(format!("{sender} cannot grant access to itself")));
    }
    if expires_ms <= ctx.timestamp_ms {
        return Ok(Err(format!("expires_ms {expires_ms} is not after the block time {}", ctx.timestamp_ms)));
    }
    let id = counter(o, keys::ECERT_NEXT_GRANT)?;
    let s = ctx.stamp(tx_hash);
    let g = DataGrant {
        id,
        subject: *subject,
        grantor: *sender,
        grantee: *grantee,
        org: org.to_string(),
        purpose: purpose.to_string(),
        expires_ms,
        granted: s,
        revoked: None,
    };
    o.put(keys::ecert_grant(id), g.encode());
    o.put(keys::ecert_by_grantee(grantee, id), Vec::new());
    o.put(keys::ecert_by_subject_grantee(subject, grantee, id), Vec::new());
    o.put(keys::ECERT_NEXT_GRANT.to_vec(), (id + 1).to_be_bytes().to_vec());
    let action = AuditAction::Granted { grant_id: id, grantee: *grantee, org: org.to_string(), expires_ms };
    append_audit(o, *subject, sender, action, s)?;
    Ok(Ok(vec![EcertEvent::DataGranted { grant: id, subject: *subject, grantee: *grantee, expires_ms }]))
}

/// Revokes a grant before it expires (sender: the holder that granted it).
pub fn revoke_grant<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    grant_id: u64,
) -> Result<Outcome, StateError> {
    let Some(mut g) = grant(o, grant_id)? else {
        return Ok(Err(format!("no grant has id {grant_id}")));
    };
    if g.grantor != *sender {
        return Ok(Err(format!("only the holder {} may revoke grant {grant_id}; the sender is {sender}", g.grantor)));
    }
    if let Some(r) = &g.revoked {
        return Ok(Err(format!("grant {grant_id} was already revoked at height {}", r.height)));
    }
    if ctx.timestamp_ms >= g.expires_ms {
        return Ok(Err(format!("grant {grant_id} already expired at {} ms", g.expires_ms)));
    }
    let s = ctx.stamp(tx_hash);
    g.revoked = Some(s);
    o.put(keys::ecert_grant(grant_id), g.encode());
    append_audit(o, g.subject, sender, AuditAction::GrantRevoked { grant_id }, s)?;
    Ok(Ok(vec![EcertEvent::DataGrantRevoked { grant: grant_id }]))
}

/// Logs one use of a subject under a live grant (sender: the grantee).
pub fn access<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    grant_id: u64,
    purpose: &str,
    request_hash: &H256,
) -> Result<Outcome, StateError> {
    if let Err(e) = crate::validate_access(purpose) {
        return Ok(Err(e.to_string()));
    }
    let Some(g) = grant(o, grant_id)? else {
        return Ok(Err(format!("no grant has id {grant_id}")));
    };
    if let Err(e) = authorised(o, &g, sender, ctx.timestamp_ms)? {
        return Ok(Err(format!("access refused: {e}")));
    }
    let s = ctx.stamp(tx_hash);
    let action = AuditAction::Accessed { grant_id, purpose: purpose.to_string(), request_hash: *request_hash };
    let seq = append_audit(o, g.subject, sender, action, s)?;
    Ok(Ok(vec![EcertEvent::DataAccessed { grant: grant_id, subject: g.subject, grantee: *sender, seq }]))
}

/// Applies an e-certificate or data-sharing payload from `sender` (`None` for any other
/// payload). One dispatch for native transactions and the precompile's replay.
pub fn apply<H: Host + ?Sized>(
    o: &mut H,
    ctx: BlockContext,
    sender: &Address,
    tx_hash: H256,
    call: &EcertCall,
) -> Result<Outcome, StateError> {
    Ok(match call {
        EcertCall::Issue { cert_type, holder, fields, encrypted_ref, not_before_ms, not_after_ms } => {
            issue(o, ctx, sender, tx_hash, cert_type, holder, fields, encrypted_ref, *not_before_ms, *not_after_ms)?
        }
        EcertCall::Revoke { cert_id, reason } => revoke(o, ctx, sender, tx_hash, *cert_id, reason)?,
        EcertCall::DatasetRegister { content_hash, encrypted_ref, description } => {
            register_dataset(o, ctx, sender, tx_hash, content_hash, encrypted_ref, description)?
        }
        EcertCall::DataGrant { subject, grantee, org, purpose, expires_ms } => {
            grant_access(o, ctx, sender, tx_hash, subject, grantee, org, purpose, *expires_ms)?
        }
        EcertCall::DataGrantRevoke { grant_id } => revoke_grant(o, ctx, sender, tx_hash, *grant_id)?,
        EcertCall::DataAccess { grant_id, purpose, request_hash } => {
            access(o, ctx, sender, tx_hash, *grant_id, purpose, request_hash)?
        }
    })
}

/// The id an accepted operation's first event names: the new certificate, dataset or grant,
/// the revoked certificate or grant, or the audit position of a use.
pub fn event_id(events: &[EcertEvent]) -> Option<u64> {
    Some(match events.first()? {
        EcertEvent::Issued { id, .. } | EcertEvent::Revoked { id } | EcertEvent::DatasetRegistered { id, .. } => *id,
        EcertEvent::DataGranted { grant, .. } | EcertEvent::DataGrantRevoked { grant } => *grant,
        EcertEvent::DataAccessed { seq, .. } => *seq,
    })
}
