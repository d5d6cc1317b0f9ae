//! `hechain ecert …`: e-certificates and authorised data sharing (电子证照 / 数据共享): issue
//! and revoke certificates with salted field hashes, register datasets, grant and revoke
//! time-limited access, log uses, verify validity, authorisation and disclosed fields, read
//! audit logs, export/verify record certificates.

use std::path::{Path, PathBuf};

use clap::{Args, FromArgMatches, Subcommand};
use hechain_crypto::Suite;
use hechain_module::cli::{
    address, decode, hash_or_file, report, time_ms, CertificateCheck, CliError, CliFuture, CliHost, CliSpec,
};
use hechain_primitives::display::format_ms;
use hechain_primitives::{Address, H256};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::views::{AuditPage, Authorization, DataGrantStatus, EcertStatus, EcertVerdict};
use crate::{
    dataset_text, ecert_text, field_hash, grant_text, AuditAction, AuditEntry, Dataset, Ecert, EcertCall, EcertEvent,
    EcertModule, EcertRecord, FieldCommitment, FieldDisclosure, Subject,
};

type Host<'a> = &'a dyn CliHost<EcertModule>;

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

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
struct SubjectArg {
    /// An e-certificate id.
    #[arg(long = "cert")]
    cert: Option<u64>,
    /// A dataset id.
    #[arg(long)]
    dataset: Option<u64>,
}

impl SubjectArg {
    fn subject(&self) -> Result<Subject, CliError> {
        match (self.cert, self.dataset) {
            (Some(id), None) => Ok(Subject::Certificate(id)),
            (None, Some(id)) => Ok(Subject::Dataset(id)),
            (Some(_), Some(_)) | (None, None) => {
                Err(CliError::Usage("give exactly one of --cert ID or --dataset ID".into()))
            }
        }
    }
}

/// The encrypted reference to the off-chain document.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
struct EncryptedRefArg {
    /// Ciphertext as 0x hex (encrypted by your own system; the chain never decrypts it).
    #[arg(long = "encrypted-ref")]
    hex: Option<String>,
    /// A file holding the ciphertext bytes.
    #[arg(long = "encrypted-ref-file")]
    file: Option<PathBuf>,
}

impl EncryptedRefArg {
    fn bytes(&self) -> Result<Vec<u8>, CliError> {
        match (&self.hex, &self.file) {
            (Some(h), None) => hex::decode(h.strip_prefix("0x").unwrap_or(h))
                .map_err(|e| failed(format!("--encrypted-ref is not hex: {e}"))),
            (None, Some(p)) => std::fs::read(p).map_err(|e| failed(format!("reading {}: {e}", p.display()))),
            (Some(_), Some(_)) | (None, None) => {
                Err(CliError::Usage("give exactly one of --encrypted-ref HEX or --encrypted-ref-file FILE".into()))
            }
        }
    }
}

#[derive(Subcommand, Debug)]
enum DatasetCmd {
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

/// E-certificates and data sharing (电子证照 / 数据共享): issue, revoke, verify, disclose fields, grant access,
/// log uses, audit.
#[derive(Subcommand, Debug)]
enum Cmd {
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

/// The subcommand.
pub fn spec() -> CliSpec<EcertModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("ecert")
                .about("E-certificates and data sharing (电子证照 / 数据共享): issue, revoke, verify, disclose fields, grant access, log uses, audit")
                .subcommand_required(true),
        ),
        run,
    }
}

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

fn read_disclosure(path: &Path) -> Result<DisclosureFile, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| failed(format!("reading {}: {e}", path.display())))?;
    let d: DisclosureFile = serde_json::from_str(&text)
        .map_err(|e| failed(format!("{}: malformed disclosure file: {e}", path.display())))?;
    if d.format != DISCLOSURE_FORMAT {
        return Err(failed(format!(
            "{}: unknown format {:?} (expected {DISCLOSURE_FORMAT})",
            path.display(),
            d.format
        )));
    }
    Ok(d)
}

/// Writes a disclosure file readable by its owner only (it holds personal data and salts).
fn write_disclosure(path: &Path, d: &DisclosureFile) -> Result<(), CliError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let text = serde_json::to_string_pretty(d).map_err(failed)? + "\n";
    let write_err = |e: std::io::Error| failed(format!("writing {}: {e}", path.display()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(write_err)?;
    f.write_all(text.as_bytes()).map_err(write_err)
}

/// One disclosed field's name and whether it matches (or why not).
type FieldCheck = (String, Result<(), String>);

/// Each disclosed field checked against `cert`, and whether all match (and the file is about
/// this certificate).
fn check_fields(suite: Suite, cert: &Ecert, d: &DisclosureFile) -> (bool, Vec<FieldCheck>) {
    let results: Vec<FieldCheck> =
        d.fields.iter().map(|f| (f.name.clone(), f.check(suite, cert).map_err(|e| e.to_string()))).collect();
    let all = d.cert_id == cert.id && !results.is_empty() && results.iter().all(|(_, r)| r.is_ok());
    (all, results)
}

/// Prints the verdict of [`check_fields`]; exit code 0 when all match.
fn print_fields(host: Host<'_>, suite: Suite, cert: &Ecert, d: &DisclosureFile, note: &str) -> i32 {
    let (all, results) = check_fields(suite, cert, d);
    let report: Vec<_> =
        results.iter().map(|(n, r)| json!({"name": n, "matches": r.is_ok(), "error": r.as_ref().err()})).collect();
    host.emit(&json!({"cert_id": cert.id, "all_match": all, "fields": report, "revoked": cert.revoked}), &|| {
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

fn subject_path(subject: &Subject) -> String {
    match subject {
        Subject::Certificate(id) => format!("/api/v1/ecerts/{id}"),
        Subject::Dataset(id) => format!("/api/v1/datasets/{id}"),
    }
}

fn run<'a>(host: Host<'a>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::Issue { holder, cert_type, fields, encrypted_ref, not_before, not_after, disclosure } => {
                let holder = address(&holder, "holder")?;
                let suite = host.suite().await?;
                let not_before_ms = match not_before {
                    Some(t) => time_ms(&t, "--not-before")?,
                    None => host.head_timestamp_ms().await?,
                };
                let not_after_ms = time_ms(&not_after, "--not-after")?;
                let mut disclosed = Vec::with_capacity(fields.len());
                let mut commitments = Vec::with_capacity(fields.len());
                for f in &fields {
                    let (name, value) =
                        f.split_once('=').ok_or_else(|| failed(format!("--field {f:?} is not NAME=VALUE")))?;
                    let salt = hechain_crypto::random_bytes32().map_err(|e| failed(format!("no salt: {e}")))?;
                    commitments.push(FieldCommitment {
                        name: name.to_string(),
                        hash: field_hash(suite, &salt, name, value.as_bytes()),
                    });
                    disclosed.push(FieldDisclosure {
                        name: name.to_string(),
                        value: value.to_string(),
                        salt: H256(salt),
                    });
                }
                let call = EcertCall::Issue {
                    cert_type,
                    holder,
                    fields: commitments,
                    encrypted_ref: encrypted_ref.bytes()?,
                    not_before_ms,
                    not_after_ms,
                };
                // Checked before sending so that a bad field costs no fee.
                hechain_module::ModuleCall::validate(&call, &host.validate_context()).map_err(failed)?;
                let s = host.submit(call).await?;
                let Some(EcertEvent::Issued { id, .. }) = s.events.first() else {
                    return Err(failed(format!("the receipt of {} has no ecert_issued event", s.tx_hash)));
                };
                let id = *id;
                write_disclosure(
                    &disclosure,
                    &DisclosureFile { format: DISCLOSURE_FORMAT.into(), cert_id: id, fields: disclosed },
                )?;
                let what = format!(
                    "issued e-certificate {id}; field values and salts written to {} (give it to the holder only)",
                    disclosure.display()
                );
                Ok(report(host, &what, &s))
            }
            Cmd::Revoke { id, reason } => {
                let s = host.submit(EcertCall::Revoke { cert_id: id, reason }).await?;
                Ok(report(host, &format!("revoked e-certificate {id}"), &s))
            }
            Cmd::Show { id } => {
                let v = host.get(&format!("/api/v1/ecerts/{id}")).await?;
                let st: EcertStatus = decode(v.clone(), "e-certificate")?;
                host.emit(&v, &|| {
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
            Cmd::Verify { id, at } => {
                let q = match at {
                    Some(t) => format!("?at={}", time_ms(&t, "--at")?),
                    None => String::new(),
                };
                let j = host.get(&format!("/api/v1/ecerts/{id}/verify{q}")).await?;
                let v: EcertVerdict = decode(j.clone(), "verdict")?;
                host.emit(&j, &|| match &v.reason {
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
            Cmd::Disclose { file, names, output } => {
                let d = read_disclosure(&file)?;
                let mut fields = Vec::new();
                for n in &names {
                    let f = d
                        .fields
                        .iter()
                        .find(|f| &f.name == n)
                        .ok_or_else(|| failed(format!("{} has no field {n:?}", file.display())))?;
                    fields.push(f.clone());
                }
                let out = DisclosureFile { format: DISCLOSURE_FORMAT.into(), cert_id: d.cert_id, fields };
                write_disclosure(&output, &out)?;
                host.emit(&json!({"file": output, "cert_id": d.cert_id, "fields": names}), &|| {
                    format!("wrote fields {} of e-certificate {} to {}", names.join(", "), d.cert_id, output.display())
                });
                Ok(0)
            }
            Cmd::VerifyFields { file, export, genesis } => {
                let d = read_disclosure(&file)?;
                match export {
                    Some(export) => match host.check_certificate(&export, genesis.as_deref()).await? {
                        CertificateCheck::Unverifiable(code) => Ok(code),
                        CertificateCheck::Invalid(e) => {
                            host.emit(&json!({"all_match": false, "reason": e}), &|| {
                                format!("INVALID certificate: {e}")
                            });
                            Ok(1)
                        }
                        CertificateCheck::Valid { record: Some(EcertRecord::Ecert(cert)), height, suite, .. } => {
                            let note = format!(
                                "\n(checked offline against the record as of block {height}; {})",
                                if cert.revoked.is_some() { "REVOKED by then" } else { "not revoked by then" }
                            );
                            Ok(print_fields(host, suite, &cert, &d, &note))
                        }
                        CertificateCheck::Valid { kind, .. } => {
                            Err(failed(format!("{} certifies a {kind}, not an e-certificate", export.display())))
                        }
                    },
                    None => {
                        let suite = host.suite().await?;
                        let st: EcertStatus =
                            decode(host.get(&format!("/api/v1/ecerts/{}", d.cert_id)).await?, "e-certificate")?;
                        let note = match &st.invalid_reason {
                            None => "\n(the certificate is valid now)".to_string(),
                            Some(r) => format!("\n(but the certificate is NOT valid now: {r})"),
                        };
                        Ok(print_fields(host, suite, &st.certificate, &d, &note))
                    }
                }
            }
            Cmd::Dataset(DatasetCmd::Register { content, encrypted_ref, description }) => {
                let call = EcertCall::DatasetRegister {
                    content_hash: hash_or_file(host, &content, "the content").await?,
                    encrypted_ref: encrypted_ref.bytes()?,
                    description,
                };
                let s = host.submit(call).await?;
                let what = match s.events.first() {
                    Some(EcertEvent::DatasetRegistered { id, .. }) => format!("registered dataset {id}"),
                    _ => "registered".into(),
                };
                Ok(report(host, &what, &s))
            }
            Cmd::Dataset(DatasetCmd::Show { id }) => {
                let v = host.get(&format!("/api/v1/datasets/{id}")).await?;
                let d: Dataset = decode(v.clone(), "dataset")?;
                host.emit(&v, &|| dataset_text(&d));
                Ok(0)
            }
            Cmd::Grant { subject, grantee, org, purpose, until } => {
                let call = EcertCall::DataGrant {
                    subject: subject.subject()?,
                    grantee: address(&grantee, "grantee")?,
                    org,
                    purpose,
                    expires_ms: time_ms(&until, "--until")?,
                };
                let s = host.submit(call).await?;
                let what = match s.events.first() {
                    Some(EcertEvent::DataGranted { grant, subject, .. }) => {
                        format!("granted access to {subject}: grant {grant}")
                    }
                    _ => "granted".into(),
                };
                Ok(report(host, &what, &s))
            }
            Cmd::RevokeGrant { id } => {
                let s = host.submit(EcertCall::DataGrantRevoke { grant_id: id }).await?;
                Ok(report(host, &format!("revoked grant {id}"), &s))
            }
            Cmd::ShowGrant { id } => {
                let v = host.get(&format!("/api/v1/data-grants/{id}")).await?;
                let g: DataGrantStatus = decode(v.clone(), "grant")?;
                host.emit(&v, &|| {
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
            Cmd::Access { grant, purpose, request } => {
                let call = EcertCall::DataAccess {
                    grant_id: grant,
                    purpose,
                    request_hash: hash_or_file(host, &request, "--request").await?,
                };
                let s = host.submit(call).await?;
                let what = match s.events.first() {
                    Some(EcertEvent::DataAccessed { subject, seq, .. }) => {
                        format!("logged a use of {subject} under grant {grant} (audit entry #{seq})")
                    }
                    _ => "logged".into(),
                };
                Ok(report(host, &what, &s))
            }
            Cmd::Authorized { subject, grantee, at } => {
                let grantee: Address = address(&grantee, "grantee")?;
                let at = match at {
                    Some(t) => format!("&at={}", time_ms(&t, "--at")?),
                    None => String::new(),
                };
                let path = format!("{}/authorization?grantee={grantee}{at}", subject_path(&subject.subject()?));
                let v = host.get(&path).await?;
                let a: Authorization = decode(v.clone(), "authorisation")?;
                host.emit(&v, &|| match (a.grant_id, &a.reason) {
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
            Cmd::Audit { subject, after, limit } => {
                let after = after.map(|a| format!("&after={a}")).unwrap_or_default();
                let path = format!("{}/audit?limit={limit}{after}", subject_path(&subject.subject()?));
                let v = host.get(&path).await?;
                let p: AuditPage = decode(v.clone(), "audit log")?;
                host.emit(&v, &|| {
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
            Cmd::Export { cert, dataset, grant, output } => {
                let (path, what) = match (cert, dataset, grant) {
                    (Some(id), None, None) => (format!("/api/v1/ecerts/{id}/certificate"), json!({"ecert": id})),
                    (None, Some(id), None) => (format!("/api/v1/datasets/{id}/certificate"), json!({"dataset": id})),
                    (None, None, Some(id)) => (format!("/api/v1/data-grants/{id}/certificate"), json!({"grant": id})),
                    _ => {
                        return Err(CliError::Usage("give exactly one of --cert ID, --dataset ID or --grant ID".into()))
                    }
                };
                host.save_certificate(&path, output.as_deref(), what).await
            }
            Cmd::VerifyExport { cert, genesis } => host.verify_certificate(&cert, genesis.as_deref()).await,
        }
    })
}

#[cfg(test)]
mod tests {
    use hechain_primitives::Stamp;

    use super::*;
    use crate::Revocation;

    #[test]
    fn a_disclosure_file_round_trips_and_checks_against_the_certificate() {
        let dir = std::env::temp_dir().join(format!("hechain-ecert-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let salt = [4u8; 32];
        let suite = Suite::Gm;
        let d = DisclosureFile {
            format: DISCLOSURE_FORMAT.into(),
            cert_id: 7,
            fields: vec![FieldDisclosure { name: "licence_no".into(), value: "91110000X".into(), salt: H256(salt) }],
        };
        let path = dir.join("d.json");
        write_disclosure(&path, &d).unwrap();
        let back = read_disclosure(&path).unwrap();
        assert_eq!(back.fields, d.fields);
        let stamp = Stamp { tx_hash: H256::ZERO, height: 1, timestamp_ms: 0 };
        let mut cert = Ecert {
            id: 7,
            cert_type: "business_licence".into(),
            issuer: Address([1; 20]),
            holder: Address([2; 20]),
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
        assert!(check_fields(suite, &cert, &back).0);
        assert!(!check_fields(Suite::Standard, &cert, &back).0, "another suite's hash");
        cert.fields[0].hash = H256([9; 32]);
        cert.revoked = Some(Revocation { stamp, reason: "x".into() });
        assert!(!check_fields(suite, &cert, &back).0);
        // A file of another format is refused, naming it.
        std::fs::write(&path, r#"{"format":"x","cert_id":1,"fields":[]}"#).unwrap();
        assert!(read_disclosure(&path).unwrap_err().to_string().contains("unknown format"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
