//! Record certificates on the command line, shared by the module commands (`copyright`,
//! `voucher`, `trace`, `ecert`, …): writing an exported certificate, and verifying one offline.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use hechain_execution::certificate::{CertifiedRecord, RecordCertificate};
use serde_json::json;

use crate::cmd_evidence::{read_certificate, read_genesis};
use crate::output::{emit, format_ms};
use crate::Cli;

/// Writes a fetched certificate to `output` (or prints it); `what` names it in the JSON line.
pub fn write(
    cli: &Cli,
    cert: &RecordCertificate,
    output: Option<&PathBuf>,
    what: serde_json::Value,
) -> anyhow::Result<i32> {
    let text = serde_json::to_string_pretty(cert)?;
    match output {
        Some(p) => {
            std::fs::write(p, text + "\n").with_context(|| format!("writing {}", p.display()))?;
            if cli.json {
                println!("{}", json!({"certificate": what, "file": p}));
            } else {
                println!("wrote the certificate to {}", p.display());
            }
        }
        None => println!("{text}"),
    }
    Ok(0)
}

fn describe(record: &CertifiedRecord) -> String {
    match record {
        CertifiedRecord::CopyrightWork(w) => crate::cmd_copyright::work_text(w),
        CertifiedRecord::CopyrightLicense(l) => crate::cmd_copyright::license_text(l, None),
        CertifiedRecord::Voucher(v) => crate::cmd_voucher::voucher_text(v),
        CertifiedRecord::VoucherPart(p) => crate::cmd_voucher::part_text(p),
        CertifiedRecord::Ecert(c) => crate::cmd_ecert::ecert_text(c),
        CertifiedRecord::Dataset(d) => crate::cmd_ecert::dataset_text(d),
        CertifiedRecord::DataGrant(g) => crate::cmd_ecert::grant_text(g),
        CertifiedRecord::TraceBatch(b) => crate::cmd_trace::batch_text(b),
        CertifiedRecord::TraceItem(h) => crate::cmd_trace::history_text(h),
    }
}

/// Verifies a record certificate of any kind offline against a genesis file: exit 0 "VALID …",
/// exit 1 "INVALID: reason".
pub fn verify(cli: &Cli, cert: &Path, genesis: &Path) -> anyhow::Result<i32> {
    let g = read_genesis(genesis)?;
    let outcome = read_certificate::<RecordCertificate>(cert)
        .and_then(|c| c.verify(&g).map(|v| (c, v)).map_err(|e| anyhow!("{e}")));
    match outcome {
        Ok((c, v)) => {
            emit(cli.json, &json!({"valid": true, "verified": v, "record": c.record}), || {
                format!(
                    "VALID: as of block {} ({}, {})\n{}\n  signed by     {} (validators of epoch {})",
                    v.height,
                    format_ms(v.timestamp_ms),
                    v.block_hash,
                    describe(&c.record),
                    v.signed_by.join(", "),
                    v.epoch
                )
            });
            Ok(0)
        }
        Err(e) => {
            emit(cli.json, &json!({"valid": false, "reason": e.to_string()}), || format!("INVALID: {e:#}"));
            Ok(1)
        }
    }
}
