//! `hechain ecert …`: e-certificates and authorised data sharing (电子证照 / 数据共享): issue
//! and revoke certificates with salted field hashes, register datasets, grant and revoke
//! time-limited access, log uses, verify validity, authorisation and disclosed fields, read
//! audit logs, export/verify record certificates.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand};
use hechain_cert::RecordCertificate;
use hechain_modules::ecert::EcertRecord;
use hechain_sdk::Client;
use hechain_types::ecert::field_hash;
use hechain_types::modules::ModuleRecords;
use hechain_types::{AuditAction, AuditEntry, Ecert, Event, FieldCommitment, FieldDisclosure, Payload, Subject, H256};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cmd_chain::{client, parse_address, send_payload};
use crate::cmd_evidence::{hash_file, parse_certificate};
use crate::output::{emit, format_ms, parse_time_ms};
use crate::sent::done;
use crate::{record_cert, Cli};

/// Format tag of the holder's field-disclosure files.
const DISCLOSURE_FORMAT: &str = "hechain-ecert-disclosure/1";

/// The holder's private file: field values and their salts (all of them after issuance; a
/// subset after `ecert disclose`). Never sent to the chain.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureFile {
    format: String,
    cert_id: u64,
    fields: Vec<FieldDisclosure>,
}

/// Which certificate or dataset.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SubjectArg {
    /// An e-certificate id.
    #[arg(long = "cert")]
    cert: Option<u64>,
    /// A dataset id.
    #[arg(long)]
    dataset: Option<u64>,
}

impl SubjectArg {
    fn subject(&self) -> anyhow::Result<Subject> {
        match (self.cert, self.dataset) {
            (Some(id), None) => Ok(Subject::Certificate(id)),
            (None, Some(id)) => Ok(Subject::Dataset(id)),
            _ => bail!("give exactly one of --cert ID or --dataset ID"),
        }
    }
}

/// The encrypted reference to the off-chain document.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct EncryptedRefArg {
    /// Ciphertext as 0x hex (encrypted by your own system; the chain never decrypts it).
    #[arg(long = "encrypted-ref")]
    hex: Option<String>,
    /// A file holding the ciphertext bytes.
    #[arg(long = "encrypted-ref-file")]
    file: Option<PathBuf>,
}

impl EncryptedRefArg {
    fn bytes(&self) -> anyhow::Result<Vec<u8>> {
        match (&self.hex, &self.file) {
            (Some(h), None) => {
                hex::decode(h.strip_prefix("0x").unwrap_or(h)).map_err(|e| anyhow!("--encrypted-ref is not hex: {e}"))
            }
            (None, Some(p)) => std::fs::read(p).with_context(|| format!("reading {}", p.display())),
            _ => bail!("give exactly one of --encrypted-ref HEX or --encrypted-ref-file FILE"),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum DatasetCmd {
    /// Register a dataset you hold: its content hash (a 0x hash or a file to hash), an
    /// encrypted reference and a description.
    Register {
        /// 0x content hash, or a file to hash with the chain's suite.
        content: String,
        #[command(flatten)]
        encrypted_ref: EncryptedRefArg,
        /// Description.
        #[arg(long)]
        description: String,
    },
    /// Show a dataset.
    Show {
        /// Dataset id.
        id: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum EcertCmd {
    /// Issue an e-certificate (you are the issuing agency). Field values are salted and hashed
    /// locally; only the hashes go on chain. The values and salts are written to --disclosure
    /// for the holder.
    Issue {
        /// The holder's address.
        holder: String,
        /// Certificate type: business_licence, diploma, id_card, …
        #[arg(long = "type")]
        cert_type: String,
        /// A field as NAME=VALUE (repeat for each field).
        #[arg(long = "field", required = true)]
        fields: Vec<String>,
        #[command(flatten)]
        encrypted_ref: EncryptedRefArg,
        /// Start of validity: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or milliseconds (default: now).
        #[arg(long)]
        not_before: Option<String>,
        /// End of validity (exclusive).
        #[arg(long)]
        not_after: String,
        /// Where to write the field values and salts (the holder's private disclosure file).
        #[arg(long)]
        disclosure: PathBuf,
    },
    /// Revoke an e-certificate you issued.
    Revoke {
        /// Certificate id.
        id: u64,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Show an e-certificate and whether it is valid now.
    Show {
        /// Certificate id.
        id: u64,
    },
    /// Check that an e-certificate is valid (issued, not revoked, within validity) at a time
    /// (exit 0 valid, 1 not).
    Verify {
        /// Certificate id.
        id: u64,
        /// The time to check (default: the head block's time).
        #[arg(long)]
        at: Option<String>,
    },
    /// Copy selected fields from a disclosure file into a new one to show a verifier.
    Disclose {
        /// The holder's disclosure file.
        file: PathBuf,
        /// Names of the fields to disclose.
        #[arg(required = true)]
        names: Vec<String>,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Check disclosed fields (a disclosure file) against the certificate's on-chain hashes
    /// (exit 0 all match, 1 not, 2 could not verify). Offline with --export (against --genesis,
    /// or the genesis fetched once from --rpc).
    VerifyFields {
        /// Disclosure file.
        file: PathBuf,
        /// A record certificate of the e-certificate (from `ecert export`) to check offline.
        #[arg(long)]
        export: Option<PathBuf>,
        /// The chain's genesis file (with --export; without it, fetched once from --rpc).
        #[arg(long, requires = "export")]
        genesis: Option<PathBuf>,
    },
    /// Datasets: register, show.
    #[command(subcommand)]
    Dataset(DatasetCmd),
    /// Grant an organisation time-limited access to a certificate or dataset you hold.
    Grant {
        #[command(flatten)]
        subject: SubjectArg,
        /// The organisation's account.
        grantee: String,
        /// The organisation's name.
        #[arg(long)]
        org: String,
        /// What the access is for.
        #[arg(long)]
        purpose: String,
        /// End of the grant (exclusive).
        #[arg(long)]
        until: String,
    },
    /// Revoke a grant you made before it expires.
    RevokeGrant {
        /// Grant id.
        id: u64,
    },
    /// Show a grant and whether it is live.
    ShowGrant {
        /// Grant id.
        id: u64,
    },
    /// Log a use of the data under a grant to you (refused unless the grant is live).
    Access {
        /// Grant id.
        grant: u64,
        /// What this use is for.
        #[arg(long)]
        purpose: String,
        /// The request: a 0x hash, or a file to hash (kept off chain).
        #[arg(long)]
        request: String,
    },
    /// Check whether an organisation may use a certificate or dataset at a time (exit 0 yes, 1 no).
    Authorized {
        #[command(flatten)]
        subject: SubjectArg,
        /// The organisation's account.
        grantee: String,
        /// The time to check (default: the head block's time).
        #[arg(long)]
        at: Option<String>,
    },
    /// The audit log of a certificate or dataset: issue, grants, uses, revocations.
    Audit {
        #[command(flatten)]
        subject: SubjectArg,
        /// List entries after this position.
        #[arg(long)]
        after: Option<u64>,
        /// Most entries to list.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Export the offline-verifiable record certificate of an e-certificate, dataset or grant.
    Export {
        /// An e-certificate id.
        #[arg(long = "cert", group = "what")]
        cert: Option<u64>,
        /// A dataset id.
        #[arg(long, group = "what")]
        dataset: Option<u64>,
        /// A grant id.
        #[arg(long, group = "what")]
        grant: Option<u64>,
        /// Output file (standard output when omitted).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Verify an exported record certificate offline against the chain's genesis (exit 0 valid,
    /// 1 invalid, 2 could not verify); for an e-certificate also says whether it was revoked as
    /// of that block.
    VerifyExport {
        /// Certificate JSON file.
        cert: PathBuf,
        /// The chain's genesis file; without it, the genesis is fetched once from the node at --rpc.
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

pub(crate) use hechain_modules::ecert::{dataset_text, ecert_text, grant_text};

fn audit_text(e: &AuditEntry) -> String {
    let what = match &e.action {
        AuditAction::Issued => "issued".to_string(),
        AuditAction::Registered => "registered".to_string(),
        AuditAction::Revoked { reason } => format!("revoked: {reason}"),
        AuditAction::Granted { grant_id, grantee, org, expires_ms } => {
            format!("granted #{grant_id} to {org} ({}) until {}", grantee.to_checksum(), format_ms(*expires_ms))
        }
        AuditAction::GrantRevoked { grant_id } => format!("revoked grant #{grant_id}"),
        AuditAction::Accessed { grant_id, purpose, request_hash } => {
            format!("accessed under grant #{grant_id}: {purpose} (request {request_hash})")
        }
    };
    format!(
        "#{} {} by {} at {} (height {}, tx {})",
        e.seq,
        what,
        e.actor.to_checksum(),
        format_ms(e.stamp.timestamp_ms),
        e.stamp.height,
        e.stamp.tx_hash
    )
}

/// A 0x hash, or the suite hash of a file.
fn hash_or_file(c_suite: hechain_types::Suite, s: &str, what: &str) -> anyhow::Result<H256> {
    match s.parse::<H256>() {
        Ok(h) => Ok(h),
        Err(_) => {
            hash_file(c_suite, Path::new(s)).with_context(|| format!("{what} is neither a 0x hash nor a readable file"))
        }
    }
}

fn read_disclosure(path: &Path) -> anyhow::Result<DisclosureFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let d: DisclosureFile =
        serde_json::from_str(&text).map_err(|e| anyhow!("{}: malformed disclosure file: {e}", path.display()))?;
    if d.format != DISCLOSURE_FORMAT {
        bail!("{}: unknown format {:?} (expected {DISCLOSURE_FORMAT})", path.display(), d.format);
    }
    Ok(d)
}

/// Writes a disclosure file readable by its owner only (it holds personal data and salts).
fn write_disclosure(path: &Path, d: &DisclosureFile) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let text = serde_json::to_string_pretty(d)? + "\n";
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(text.as_bytes()).with_context(|| format!("writing {}", path.display()))
}

async fn send(cli: &Cli, c: &Client, payload: Payload) -> anyhow::Result<(H256, u64, Vec<Event>)> {
    let (tx_hash, r) = send_payload(cli, c, &c.status().await?, payload).await?;
    Ok((tx_hash, r.height, r.receipt.events))
}

/// Checks every disclosed field against `cert`; prints the verdict; exit code 0 when all match.
fn check_fields(cli: &Cli, suite: hechain_types::Suite, cert: &Ecert, d: &DisclosureFile, note: &str) -> i32 {
    let results: Vec<(String, Result<(), String>)> =
        d.fields.iter().map(|f| (f.name.clone(), f.check(suite, cert).map_err(|e| e.to_string()))).collect();
    let all = d.cert_id == cert.id && !results.is_empty() && results.iter().all(|(_, r)| r.is_ok());
    let report: Vec<_> =
        results.iter().map(|(n, r)| json!({"name": n, "matches": r.is_ok(), "error": r.as_ref().err()})).collect();
    emit(cli.json, &json!({"cert_id": cert.id, "all_match": all, "fields": report, "revoked": cert.revoked}), || {
        let mut out = String::new();
        if d.cert_id != cert.id {
            out.push_str(&format!("the disclosure is for certificate {}, not {}\n", d.cert_id, cert.id));
        }
        for (n, r) in &results {
            match r {
                Ok(()) => out.push_str(&format!("MATCH     {n}\n")),
                Err(e) => out.push_str(&format!("NO MATCH  {n}: {e}\n")),
            }
        }
        out.push_str(if all { "all disclosed fields match" } else { "NOT all disclosed fields match" });
        out.push_str(note);
        out
    });
    if all {
        0
    } else {
        1
    }
}

pub async fn run(cli: &Cli, cmd: &EcertCmd) -> anyhow::Result<i32> {
    match cmd {
        EcertCmd::Issue { holder, cert_type, fields, encrypted_ref, not_before, not_after, disclosure } => {
            let c = client(cli)?;
            let holder = parse_address(holder, "holder")?;
            let s = c.status().await?;
            let not_before_ms = match not_before {
                Some(t) => parse_time_ms(t).context("--not-before")?,
                None => s.head_timestamp_ms,
            };
            let not_after_ms = parse_time_ms(not_after).context("--not-after")?;
            let mut disclosed = Vec::with_capacity(fields.len());
            let mut commitments = Vec::with_capacity(fields.len());
            for f in fields {
                let (name, value) = f.split_once('=').ok_or_else(|| anyhow!("--field {f:?} is not NAME=VALUE"))?;
                let salt = hechain_crypto::random_bytes32().map_err(|e| anyhow!("no salt: {e}"))?;
                commitments.push(FieldCommitment {
                    name: name.to_string(),
                    hash: field_hash(s.suite, &salt, name, value.as_bytes()),
                });
                disclosed.push(FieldDisclosure { name: name.to_string(), value: value.to_string(), salt: H256(salt) });
            }
            let payload = Payload::Ecert(hechain_types::EcertCall::Issue {
                cert_type: cert_type.clone(),
                holder,
                fields: commitments,
                encrypted_ref: encrypted_ref.bytes()?,
                not_before_ms,
                not_after_ms,
            });
            // Checked before sending so that a bad field costs no fee.
            payload.validate()?;
            let (tx_hash, r) = send_payload(cli, &c, &s, payload).await?;
            let (height, ev) = (r.height, r.receipt.events);
            let id = match ev.first() {
                Some(Event::Ecert(hechain_types::EcertEvent::Issued { id, .. })) => *id,
                _ => bail!("the receipt of {tx_hash} has no ecert_issued event"),
            };
            write_disclosure(
                disclosure,
                &DisclosureFile { format: DISCLOSURE_FORMAT.into(), cert_id: id, fields: disclosed },
            )?;
            let what = format!(
                "issued e-certificate {id}; field values and salts written to {} (give it to the holder only)",
                disclosure.display()
            );
            Ok(done(cli, what, tx_hash, height, &ev))
        }
        EcertCmd::Revoke { id, reason } => {
            let c = client(cli)?;
            let (tx, h, ev) = send(
                cli,
                &c,
                Payload::Ecert(hechain_types::EcertCall::Revoke { cert_id: *id, reason: reason.clone() }),
            )
            .await?;
            Ok(done(cli, format!("revoked e-certificate {id}"), tx, h, &ev))
        }
        EcertCmd::Show { id } => {
            let st = client(cli)?.ecert(*id).await?;
            emit(cli.json, &st, || {
                format!(
                    "{}\n  status        {} as of {}\n  audit log     {} entries",
                    ecert_text(&st.certificate),
                    match &st.invalid_reason {
                        None => "VALID".to_string(),
                        Some(r) => format!("NOT VALID ({r})"),
                    },
                    format_ms(st.as_of_ms),
                    st.audit_entries
                )
            });
            Ok(0)
        }
        EcertCmd::Verify { id, at } => {
            let at = at.as_deref().map(parse_time_ms).transpose().context("--at")?;
            let v = client(cli)?.ecert_verify(*id, at).await?;
            emit(cli.json, &v, || match &v.reason {
                None => format!(
                    "VALID: e-certificate {id} issued by {} to {} at {}",
                    v.issuer.to_checksum(),
                    v.holder.to_checksum(),
                    format_ms(v.at_ms)
                ),
                Some(r) => format!("NOT VALID at {}: {r}", format_ms(v.at_ms)),
            });
            Ok(if v.valid { 0 } else { 1 })
        }
        EcertCmd::Disclose { file, names, output } => {
            let d = read_disclosure(file)?;
            let mut fields = Vec::new();
            for n in names {
                let f = d
                    .fields
                    .iter()
                    .find(|f| &f.name == n)
                    .ok_or_else(|| anyhow!("{} has no field {n:?}", file.display()))?;
                fields.push(f.clone());
            }
            write_disclosure(output, &DisclosureFile { format: DISCLOSURE_FORMAT.into(), cert_id: d.cert_id, fields })?;
            emit(cli.json, &json!({"file": output, "cert_id": d.cert_id, "fields": names}), || {
                format!("wrote fields {} of e-certificate {} to {}", names.join(", "), d.cert_id, output.display())
            });
            Ok(0)
        }
        EcertCmd::VerifyFields { file, export, genesis } => {
            let d = read_disclosure(file)?;
            match export {
                Some(export) => {
                    let (text, g) = match record_cert::check_inputs(cli, export, genesis.as_deref()).await {
                        Ok(x) => x,
                        Err(e) => return Ok(record_cert::unverifiable(cli, &e)),
                    };
                    let rc: RecordCertificate = match parse_certificate(&text) {
                        Ok(rc) => rc,
                        Err(e) => {
                            emit(cli.json, &json!({"all_match": false, "reason": e.to_string()}), || {
                                format!("INVALID certificate: {e}")
                            });
                            return Ok(1);
                        }
                    };
                    let v = match rc.verify(&g) {
                        Ok(v) => v,
                        Err(e) => {
                            emit(cli.json, &json!({"all_match": false, "reason": e.to_string()}), || {
                                format!("INVALID certificate: {e}")
                            });
                            return Ok(1);
                        }
                    };
                    let ModuleRecords::Ecert(EcertRecord::Ecert(cert)) = rc.record.module() else {
                        bail!("{} certifies a {}, not an e-certificate", export.display(), rc.record.kind());
                    };
                    let note = format!(
                        "\n(checked offline against the record as of block {}; {})",
                        v.height,
                        if cert.revoked.is_some() { "REVOKED by then" } else { "not revoked by then" }
                    );
                    Ok(check_fields(cli, g.suite(), cert, &d, &note))
                }
                None => {
                    let c = client(cli)?;
                    let suite = c.status().await?.suite;
                    let st = c.ecert(d.cert_id).await?;
                    let note = match &st.invalid_reason {
                        None => "\n(the certificate is valid now)".to_string(),
                        Some(r) => format!("\n(but the certificate is NOT valid now: {r})"),
                    };
                    Ok(check_fields(cli, suite, &st.certificate, &d, &note))
                }
            }
        }
        EcertCmd::Dataset(DatasetCmd::Register { content, encrypted_ref, description }) => {
            let c = client(cli)?;
            let suite = c.status().await?.suite;
            let payload = Payload::Ecert(hechain_types::EcertCall::DatasetRegister {
                content_hash: hash_or_file(suite, content, "the content")?,
                encrypted_ref: encrypted_ref.bytes()?,
                description: description.clone(),
            });
            let (tx, h, ev) = send(cli, &c, payload).await?;
            let what = match ev.first() {
                Some(Event::Ecert(hechain_types::EcertEvent::DatasetRegistered { id, .. })) => {
                    format!("registered dataset {id}")
                }
                _ => "registered".into(),
            };
            Ok(done(cli, what, tx, h, &ev))
        }
        EcertCmd::Dataset(DatasetCmd::Show { id }) => {
            let d = client(cli)?.dataset(*id).await?;
            emit(cli.json, &d, || dataset_text(&d));
            Ok(0)
        }
        EcertCmd::Grant { subject, grantee, org, purpose, until } => {
            let c = client(cli)?;
            let payload = Payload::Ecert(hechain_types::EcertCall::DataGrant {
                subject: subject.subject()?,
                grantee: parse_address(grantee, "grantee")?,
                org: org.clone(),
                purpose: purpose.clone(),
                expires_ms: parse_time_ms(until).context("--until")?,
            });
            let (tx, h, ev) = send(cli, &c, payload).await?;
            let what = match ev.first() {
                Some(Event::Ecert(hechain_types::EcertEvent::DataGranted { grant, subject, .. })) => {
                    format!("granted access to {subject}: grant {grant}")
                }
                _ => "granted".into(),
            };
            Ok(done(cli, what, tx, h, &ev))
        }
        EcertCmd::RevokeGrant { id } => {
            let c = client(cli)?;
            let (tx, h, ev) =
                send(cli, &c, Payload::Ecert(hechain_types::EcertCall::DataGrantRevoke { grant_id: *id })).await?;
            Ok(done(cli, format!("revoked grant {id}"), tx, h, &ev))
        }
        EcertCmd::ShowGrant { id } => {
            let g = client(cli)?.data_grant(*id).await?;
            emit(cli.json, &g, || {
                format!(
                    "{}\n  status        {} as of {}",
                    grant_text(&g.grant),
                    match &g.reason {
                        None => "LIVE".to_string(),
                        Some(r) => format!("NOT LIVE ({r})"),
                    },
                    format_ms(g.as_of_ms)
                )
            });
            Ok(0)
        }
        EcertCmd::Access { grant, purpose, request } => {
            let c = client(cli)?;
            let suite = c.status().await?.suite;
            let payload = Payload::Ecert(hechain_types::EcertCall::DataAccess {
                grant_id: *grant,
                purpose: purpose.clone(),
                request_hash: hash_or_file(suite, request, "--request")?,
            });
            let (tx, h, ev) = send(cli, &c, payload).await?;
            let what = match ev.first() {
                Some(Event::Ecert(hechain_types::EcertEvent::DataAccessed { subject, seq, .. })) => {
                    format!("logged a use of {subject} under grant {grant} (audit entry #{seq})")
                }
                _ => "logged".into(),
            };
            Ok(done(cli, what, tx, h, &ev))
        }
        EcertCmd::Authorized { subject, grantee, at } => {
            let at = at.as_deref().map(parse_time_ms).transpose().context("--at")?;
            let grantee = parse_address(grantee, "grantee")?;
            let a = client(cli)?.data_authorization(subject.subject()?, &grantee, at).await?;
            emit(cli.json, &a, || match (a.grant_id, &a.reason) {
                (Some(g), _) => format!(
                    "AUTHORIZED: {} may use {} at {} (grant {g})",
                    grantee.to_checksum(),
                    a.subject,
                    format_ms(a.at_ms)
                ),
                (None, r) => format!("NOT AUTHORIZED at {}: {}", format_ms(a.at_ms), r.as_deref().unwrap_or("")),
            });
            Ok(if a.authorized { 0 } else { 1 })
        }
        EcertCmd::Audit { subject, after, limit } => {
            let subject = subject.subject()?;
            let p = client(cli)?.data_audit(subject, *after, *limit).await?;
            emit(cli.json, &p, || {
                let mut out = format!("audit log of {}: {} entries", p.subject, p.total);
                for e in &p.entries {
                    out.push_str("\n  ");
                    out.push_str(&audit_text(e));
                }
                if let Some(n) = p.next_after {
                    out.push_str(&format!("\n  … more: --after {n}"));
                }
                out
            });
            Ok(0)
        }
        EcertCmd::Export { cert, dataset, grant, output } => {
            let c = client(cli)?;
            let (rc, what) = match (cert, dataset, grant) {
                (Some(id), None, None) => {
                    (c.subject_certificate(Subject::Certificate(*id)).await?, json!({"ecert": id}))
                }
                (None, Some(id), None) => (c.subject_certificate(Subject::Dataset(*id)).await?, json!({"dataset": id})),
                (None, None, Some(id)) => (c.data_grant_certificate(*id).await?, json!({"grant": id})),
                _ => bail!("give exactly one of --cert ID, --dataset ID or --grant ID"),
            };
            record_cert::write(cli, &rc, output.as_ref(), what)
        }
        EcertCmd::VerifyExport { cert, genesis } => record_cert::verify(cli, cert, genesis.as_deref()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use hechain_types::ecert::Revocation;
    use hechain_types::{Stamp, Suite};

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        crate::Cli::command().debug_assert();
    }

    #[test]
    fn a_disclosure_file_round_trips_and_checks_against_the_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let salt = [4u8; 32];
        let suite = Suite::Gm;
        let d = DisclosureFile {
            format: DISCLOSURE_FORMAT.into(),
            cert_id: 7,
            fields: vec![FieldDisclosure { name: "licence_no".into(), value: "91110000X".into(), salt: H256(salt) }],
        };
        let path = dir.path().join("d.json");
        write_disclosure(&path, &d).unwrap();
        let back = read_disclosure(&path).unwrap();
        assert_eq!(back.fields, d.fields);
        let stamp = Stamp { tx_hash: H256::ZERO, height: 1, timestamp_ms: 0 };
        let mut cert = Ecert {
            id: 7,
            cert_type: "business_licence".into(),
            issuer: hechain_types::Address([1; 20]),
            holder: hechain_types::Address([2; 20]),
            fields: vec![FieldCommitment {
                name: "licence_no".into(),
                hash: field_hash(suite, &salt, "licence_no", b"91110000X"),
            }],
            encrypted_ref: vec![1],
            not_before_ms: 0,
            not_after_ms: 10,
            issued: stamp,
            revoked: None,
        };
        let cli = crate::Cli::try_parse_from(["hechain", "--json", "status"]).unwrap();
        assert_eq!(check_fields(&cli, suite, &cert, &back, ""), 0);
        assert_eq!(check_fields(&cli, Suite::Standard, &cert, &back, ""), 1, "another suite's hash");
        cert.fields[0].hash = H256([9; 32]);
        cert.revoked = Some(Revocation { stamp, reason: "x".into() });
        assert_eq!(check_fields(&cli, suite, &cert, &back, ""), 1);
        // A file of another format is refused, naming it.
        std::fs::write(&path, r#"{"format":"x","cert_id":1,"fields":[]}"#).unwrap();
        assert!(read_disclosure(&path).unwrap_err().to_string().contains("unknown format"));
    }
}
