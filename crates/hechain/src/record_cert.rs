//! Record certificates on the command line, shared by the module commands (`evidence`,
//! `copyright`, `voucher`, `trace`, `ecert`, …): writing an exported certificate, and verifying
//! one offline.
//!
//! Exit codes of every certificate check: [`EXIT_VALID`] (0), [`EXIT_INVALID`] (1: the
//! certificate does not prove its record under this genesis, or is not a certificate), and
//! [`EXIT_UNVERIFIABLE`] (2: the check could not be made — the certificate or genesis file
//! cannot be read, the genesis is malformed, no genesis was given, or the node to fetch it
//! from is unreachable).

use hechain_types::GenesisExt;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use hechain_cert::{EvidenceCertificate, RecordCertificate};
use hechain_types::Genesis;
use serde_json::json;

use crate::output::{emit, format_ms};
use crate::Cli;

/// Exit code: the certificate is valid.
pub const EXIT_VALID: i32 = 0;
/// Exit code: the certificate is invalid.
pub const EXIT_INVALID: i32 = 1;
/// Exit code: the certificate could not be checked (see the module docs).
pub const EXIT_UNVERIFIABLE: i32 = 2;

/// Reports why a check could not be made; returns [`EXIT_UNVERIFIABLE`].
pub fn unverifiable(cli: &Cli, e: &anyhow::Error) -> i32 {
    if cli.json {
        println!("{}", json!({"valid": null, "error": format!("{e:#}")}));
    }
    eprintln!("error: could not verify: {e:#}");
    EXIT_UNVERIFIABLE
}

/// The genesis to check against: `--genesis FILE`, else fetched once from the node at `--rpc`
/// (or `HECHAIN_RPC`).
pub async fn genesis_for_check(cli: &Cli, file: Option<&Path>) -> anyhow::Result<Genesis> {
    if let Some(f) = file {
        return read_genesis(f);
    }
    let Some(url) = &cli.rpc else {
        bail!(
            "no genesis to check against: pass --genesis FILE (the chain's genesis.json), or --rpc URL to \
             fetch it from a node"
        );
    };
    let g =
        hechain_sdk::Client::new(url)?.genesis().await.with_context(|| format!("fetching the genesis from {url}"))?;
    eprintln!(
        "note: checking against the genesis served by {url} (genesis hash {}); for an independent check, \
         use the consortium's genesis file (--genesis)",
        g.hash()
    );
    Ok(g)
}

/// The certificate text and the genesis of an offline check; an error means the check could
/// not be made (exit [`EXIT_UNVERIFIABLE`]).
pub async fn check_inputs(cli: &Cli, cert: &Path, genesis: Option<&Path>) -> anyhow::Result<(String, Genesis)> {
    let text = std::fs::read_to_string(cert).with_context(|| format!("reading {}", cert.display()))?;
    Ok((text, genesis_for_check(cli, genesis).await?))
}

/// Writes a fetched certificate (any format: its JSON as the node sent it, re-encoded by its
/// type) to `output`, or prints it; `what` names it in the JSON line.
pub fn write(
    cli: &Cli,
    cert: &serde_json::Value,
    output: Option<&Path>,
    what: serde_json::Value,
) -> anyhow::Result<i32> {
    let text = if is_evidence(cert) {
        serde_json::to_string_pretty(&serde_json::from_value::<EvidenceCertificate>(cert.clone())?)?
    } else {
        serde_json::to_string_pretty(&serde_json::from_value::<RecordCertificate>(cert.clone())?)?
    };
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

/// Whether a certificate's JSON is an evidence certificate (which also proves the storing
/// transaction and receipt) rather than a record certificate.
fn is_evidence(v: &serde_json::Value) -> bool {
    v["format"].as_str().is_some_and(|f| f.starts_with("hechain-evidence-certificate/"))
}

/// Verifies a certificate of any kind offline against a genesis (file, or fetched from
/// `--rpc`): exit 0 "VALID …", 1 "INVALID: reason", 2 when it could not be checked.
pub async fn verify(cli: &Cli, cert: &Path, genesis: Option<&Path>) -> anyhow::Result<i32> {
    let (text, g) = match check_inputs(cli, cert, genesis).await {
        Ok(x) => x,
        Err(e) => return Ok(unverifiable(cli, &e)),
    };
    if serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| is_evidence(&v)) {
        return Ok(verify_evidence(cli, &text, &g));
    }
    let outcome = parse_certificate::<RecordCertificate>(&text)
        .and_then(|c| c.verify(&g).map(|v| (c, v)).map_err(|e| anyhow!("{e}")));
    match outcome {
        Ok((c, v)) => {
            emit(cli.json, &json!({"valid": true, "verified": v, "record": c.record}), || {
                format!(
                    "VALID: as of block {} ({}, {})\n{}\n  signed by     {} (validators of epoch {})",
                    v.height,
                    format_ms(v.timestamp_ms),
                    v.block_hash,
                    c.record.describe(),
                    v.signed_by.join(", "),
                    v.epoch
                )
            });
            Ok(EXIT_VALID)
        }
        Err(e) => {
            emit(cli.json, &json!({"valid": false, "reason": e.to_string()}), || format!("INVALID: {e:#}"));
            Ok(EXIT_INVALID)
        }
    }
}

/// Verifies an evidence certificate (the record, the transaction that stored it and its
/// receipt, under a sealed block).
fn verify_evidence(cli: &Cli, text: &str, g: &Genesis) -> i32 {
    let outcome = parse_certificate::<EvidenceCertificate>(text).and_then(|c| c.verify(g).map_err(|e| anyhow!("{e}")));
    match outcome {
        Ok(v) => {
            emit(cli.json, &json!({"valid": true, "evidence": v}), || {
                format!(
                    "VALID: evidence {} with content hash {}\n  stored at   {} (height {}, block {})\n  submitter   {}\n  signed by   {} (validators of epoch {})",
                    v.id,
                    v.content_hash,
                    format_ms(v.timestamp_ms),
                    v.height,
                    v.block_hash,
                    v.submitter.to_checksum(),
                    v.signed_by.join(", "),
                    v.epoch
                )
            });
            EXIT_VALID
        }
        Err(e) => {
            emit(cli.json, &json!({"valid": false, "reason": e.to_string()}), || format!("INVALID: {e:#}"));
            EXIT_INVALID
        }
    }
}

/// Reads and parses a genesis file (for offline certificate checks).
pub(crate) fn read_genesis(path: &Path) -> anyhow::Result<Genesis> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Genesis::from_json(&text).with_context(|| format!("{}", path.display()))
}

/// Parses a certificate; one that does not parse is reported as malformed (or as an older
/// format).
pub(crate) fn parse_certificate<T: serde::de::DeserializeOwned>(text: &str) -> anyhow::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        // Version 1 certificates (before validator-set changes) lack the epoch proof.
        let format = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v["format"].as_str().map(str::to_string))
            .unwrap_or_default();
        if format.starts_with("hechain-") && format.ends_with("-certificate/1") {
            anyhow!(
                "{format} is an older certificate format without the validator-set (epoch) proof; \
                 export the certificate again from a node"
            )
        } else {
            anyhow!("malformed certificate: {e}")
        }
    })
}
