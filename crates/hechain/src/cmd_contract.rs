//! `hechain contract deploy|call|send|check`: Solidity contracts without a JavaScript toolchain.
//!
//! Deploys a compiled artifact (solc standard JSON output per contract, Hardhat or Foundry
//! artifacts: anything with `abi` and `bytecode`), and calls functions named by a signature such
//! as `"balanceOf(address)(uint256)"` or `"function transfer(address,uint256) returns (bool)"`.
//! Arguments are given as text and converted by their ABI types (addresses, decimal or hex
//! integers, `true`/`false`, hex bytes, strings, `[a,b]` arrays, `(a,b)` tuples).
//! Transactions are EIP-1559 transactions sent through the node's Ethereum JSON-RPC.

use std::path::PathBuf;
use std::time::Duration;

use alloy_consensus::TxEip1559;
use alloy_dyn_abi::{DynSolType, DynSolValue, FunctionExt, JsonAbiExt, Specifier};
use alloy_json_abi::{Function, JsonAbi};
use anyhow::{anyhow, bail, Context};
use clap::Subcommand;
use hechain_crypto::{AccountKey, AccountScheme};
use hechain_sdk::eth::{EthClient, RpcFailure};
use hechain_types::{Address, EthTransaction};
use serde_json::{json, Value};

use crate::cmd_key::resolve_signer;
use crate::output::emit;
use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum ContractCmd {
    /// Check a compiled contract for classic hazards before deploying it (合约安全检测):
    /// reentrancy, selfdestruct, delegatecall to caller-chosen addresses, unchecked calls,
    /// tx.origin authorisation. Offline; exit status 2 when something is found.
    Check {
        /// Artifact file (with `deployedBytecode`, as solc, Hardhat and Foundry write it).
        artifact: PathBuf,
    },
    /// Deploy a compiled contract artifact (JSON with `abi` and `bytecode`).
    Deploy {
        /// Artifact file.
        artifact: PathBuf,
        /// Constructor arguments.
        args: Vec<String>,
        /// Gas limit (default: estimated + 20%).
        #[arg(long)]
        gas: Option<u64>,
        /// Value sent with the creation, in the smallest unit.
        #[arg(long, default_value = "0")]
        value: String,
    },
    /// Call a function without a transaction (eth_call) and decode its result.
    Call {
        /// Contract address.
        address: String,
        /// Function signature, e.g. "balanceOf(address)(uint256)".
        signature: String,
        /// Arguments.
        args: Vec<String>,
        /// Caller address seen by the contract.
        #[arg(long)]
        from: Option<String>,
    },
    /// Send a transaction calling a function, and wait for its receipt.
    Send {
        /// Contract address.
        address: String,
        /// Function signature, e.g. "transfer(address,uint256)".
        signature: String,
        /// Arguments.
        args: Vec<String>,
        /// Gas limit (default: estimated + 20%).
        #[arg(long)]
        gas: Option<u64>,
        /// Value sent, in the smallest unit.
        #[arg(long, default_value = "0")]
        value: String,
    },
}

/// Parses a function signature in cast style (`f(a,b)(r)`) or human-readable ABI style.
pub fn parse_function(sig: &str) -> anyhow::Result<Function> {
    let s = sig.trim();
    let s = s.strip_prefix("function ").unwrap_or(s);
    // `name(args)(returns)` → `name(args) returns (returns)`.
    let text = match s.find(")(") {
        Some(i) => format!("function {} returns {}", &s[..=i], &s[i + 1..]),
        None => format!("function {s}"),
    };
    Function::parse(&text).map_err(|e| anyhow!("cannot parse the function signature {sig:?}: {e}"))
}

/// Parses `signature` and ABI-encodes the call with `args` (selector included).
fn encode_call(signature: &str, args: &[String]) -> anyhow::Result<(Function, Vec<u8>)> {
    let f = parse_function(signature)?;
    let types: Vec<DynSolType> =
        f.inputs.iter().map(|p| p.resolve()).collect::<Result<_, _>>().map_err(|e| anyhow!("{e}"))?;
    let values = coerce_args(&types, args, &f.name)?;
    let input = f.abi_encode_input(&values).map_err(|e| anyhow!("{e}"))?;
    Ok((f, input))
}

/// Converts text arguments by their ABI types.
pub fn coerce_args(types: &[DynSolType], args: &[String], what: &str) -> anyhow::Result<Vec<DynSolValue>> {
    if types.len() != args.len() {
        bail!("{what} takes {} arguments, {} given", types.len(), args.len());
    }
    types
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (t, a))| t.coerce_str(a).map_err(|e| anyhow!("argument {} ({t}) {a:?}: {e}", i + 1)))
        .collect()
}

/// Human text of a decoded value.
pub fn show_value(v: &DynSolValue) -> String {
    match v {
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::FixedBytes(w, n) => format!("0x{}", hex::encode(&w[..*n])),
        DynSolValue::Bytes(b) => format!("0x{}", hex::encode(b)),
        DynSolValue::String(s) => format!("{s:?}"),
        DynSolValue::Array(xs) | DynSolValue::FixedArray(xs) => {
            format!("[{}]", xs.iter().map(show_value).collect::<Vec<_>>().join(", "))
        }
        DynSolValue::Tuple(xs) => format!("({})", xs.iter().map(show_value).collect::<Vec<_>>().join(", ")),
        DynSolValue::Function(f) => format!("0x{}", hex::encode(f.0)),
    }
}

fn read_artifact(path: &PathBuf) -> anyhow::Result<(JsonAbi, Vec<u8>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_artifact(&text, &path.display().to_string())
}

/// The ABI and creation bytecode of a compiled-contract artifact (`name` names it in errors).
pub fn parse_artifact(text: &str, name: &str) -> anyhow::Result<(JsonAbi, Vec<u8>)> {
    let v: Value = serde_json::from_str(text).with_context(|| format!("{name} is not JSON"))?;
    let abi: JsonAbi = serde_json::from_value(v.get("abi").cloned().ok_or_else(|| anyhow!("{name} has no \"abi\""))?)
        .with_context(|| format!("the ABI in {name}"))?;
    // solc / Hardhat: "bytecode": "0x…"; Foundry: "bytecode": { "object": "0x…" }; solc JSON: evm.bytecode.object.
    let code = v
        .get("bytecode")
        .and_then(|b| b.as_str().or_else(|| b.get("object").and_then(Value::as_str)))
        .or_else(|| v.pointer("/evm/bytecode/object").and_then(Value::as_str))
        .ok_or_else(|| anyhow!("{name} has no bytecode (an interface or abstract contract?)"))?;
    let code = hex::decode(code.trim_start_matches("0x"))
        .with_context(|| format!("the bytecode in {name} is not hex (unlinked libraries?)"))?;
    if code.is_empty() {
        bail!("{name} has empty bytecode (an interface or abstract contract?)");
    }
    Ok((abi, code))
}

fn parse_value(s: &str) -> anyhow::Result<u128> {
    hechain_types::primitives::u128_string::parse_amount(s).map_err(|e| anyhow!("--value {s:?}: {e}"))
}

fn parse_address(s: &str) -> anyhow::Result<Address> {
    crate::cmd_chain::parse_address(s, &format!("address {s:?}"))
}

fn failure_message(f: &RpcFailure) -> String {
    match f.data.as_ref().and_then(Value::as_str) {
        Some(d) if d.len() > 2 => format!("{} (revert data {d})", f.message),
        _ => f.message.clone(),
    }
}

/// The signing key for Ethereum transactions (secp256k1 on every suite).
fn eth_signer(cli: &Cli, chain_id: u64) -> anyhow::Result<AccountKey> {
    let key = resolve_signer(cli, hechain_crypto::Suite::Standard, chain_id)?;
    if key.scheme() != AccountScheme::Secp256k1 {
        bail!("contract transactions are Ethereum transactions and need a secp256k1 key");
    }
    Ok(key)
}

/// Signs and sends an EIP-1559 transaction; waits for the receipt and fails on a failed one.
async fn transact(
    cli: &Cli,
    rpc: &EthClient,
    to: Option<Address>,
    input: Vec<u8>,
    value: u128,
    gas: Option<u64>,
) -> anyhow::Result<Value> {
    let chain_id = rpc.chain_id().await?;
    let key = eth_signer(cli, chain_id)?;
    let from = Address(key.address());
    let data = format!("0x{}", hex::encode(&input));
    let gas = match gas {
        Some(g) => g,
        None => {
            let call = json!({ "from": from, "to": to, "data": data, "value": format!("{value:#x}") });
            match rpc.estimate_gas(call).await? {
                Ok(g) => g + g / 5,
                Err(f) => bail!("the transaction would fail: {}", failure_message(&f)),
            }
        }
    };
    let base = rpc.gas_price().await?;
    let tx = TxEip1559 {
        chain_id,
        nonce: rpc.pending_nonce(&from).await?,
        gas_limit: gas,
        max_fee_per_gas: base,
        max_priority_fee_per_gas: 0,
        to: match to {
            Some(a) => alloy_primitives::TxKind::Call(a.0.into()),
            None => alloy_primitives::TxKind::Create,
        },
        value: alloy_primitives::U256::from(value),
        access_list: Default::default(),
        input: input.into(),
    };
    let signed = EthTransaction::sign(tx, &key)?;
    let hash = rpc.send_raw(signed.raw()).await?;
    let receipt = rpc.wait_receipt(&hash, Duration::from_secs(60)).await?;
    if receipt["status"] != json!("0x1") {
        let why = receipt["hechainFailure"].as_str().unwrap_or("the transaction failed");
        bail!("transaction {hash} failed: {why}");
    }
    Ok(receipt)
}

/// The runtime bytecode of an artifact (`deployedBytecode`), if it has one.
fn runtime_code(text: &str) -> Option<Vec<u8>> {
    let v: Value = serde_json::from_str(text).ok()?;
    let code = v
        .get("deployedBytecode")
        .and_then(|b| b.as_str().or_else(|| b.get("object").and_then(Value::as_str)))
        .or_else(|| v.pointer("/evm/deployedBytecode/object").and_then(Value::as_str))?;
    hex::decode(code.trim_start_matches("0x")).ok().filter(|c| !c.is_empty())
}

/// The findings of the pre-deploy check of an artifact's runtime code, as JSON.
fn findings_json(findings: &[hechain_contract_check::Finding]) -> Value {
    Value::Array(
        findings
            .iter()
            .map(|f| json!({ "hazard": f.hazard, "offset": f.offset, "advice": f.hazard.advice() }))
            .collect(),
    )
}

fn findings_text(findings: &[hechain_contract_check::Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {} at byte {:#x}: {}",
                serde_json::to_value(f.hazard).unwrap_or_default().as_str().unwrap_or("?"),
                f.offset,
                f.hazard.advice()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_artifact(cli: &Cli, artifact: &PathBuf) -> anyhow::Result<i32> {
    let text = std::fs::read_to_string(artifact).with_context(|| format!("reading {}", artifact.display()))?;
    let code = runtime_code(&text).ok_or_else(|| {
        anyhow!(
            "{} has no deployedBytecode (the runtime code the check reads); compile with solc, Hardhat or Foundry",
            artifact.display()
        )
    })?;
    let findings = hechain_contract_check::check(&code);
    emit(
        cli.json,
        &json!({ "artifact": artifact.display().to_string(), "findings": findings_json(&findings) }),
        || {
            if findings.is_empty() {
                format!("{}: no hazard found ({} bytes of runtime code checked)", artifact.display(), code.len())
            } else {
                format!("{}: {} finding(s)\n{}", artifact.display(), findings.len(), findings_text(&findings))
            }
        },
    );
    Ok(if findings.is_empty() { 0 } else { 2 })
}

pub async fn run(cli: &Cli, cmd: &ContractCmd) -> anyhow::Result<i32> {
    let rpc = EthClient::new(cli.rpc_url())?;
    match cmd {
        // Offline: the client above never connects for it.
        ContractCmd::Check { artifact } => return check_artifact(cli, artifact),
        ContractCmd::Deploy { artifact, args, gas, value } => {
            let (abi, mut code) = read_artifact(artifact)?;
            // The pre-deploy check, as a warning (the node does not refuse on it yet).
            let runtime = std::fs::read_to_string(artifact).ok().and_then(|t| runtime_code(&t));
            let findings = runtime.map(|c| hechain_contract_check::check(&c)).unwrap_or_default();
            if !findings.is_empty() {
                eprintln!(
                    "warning: the pre-deploy check found {} hazard(s) in {} (see `hechain contract check`):\n{}",
                    findings.len(),
                    artifact.display(),
                    findings_text(&findings)
                );
            }
            match &abi.constructor {
                Some(c) => {
                    let types: Vec<DynSolType> =
                        c.inputs.iter().map(|p| p.resolve()).collect::<Result<_, _>>().map_err(|e| anyhow!("{e}"))?;
                    let values = coerce_args(&types, args, "the constructor")?;
                    code.extend_from_slice(&c.abi_encode_input(&values).map_err(|e| anyhow!("{e}"))?);
                }
                None if !args.is_empty() => bail!("the contract has no constructor, but arguments were given"),
                None => {}
            }
            let receipt = transact(cli, &rpc, None, code, parse_value(value)?, *gas).await?;
            let address = receipt["contractAddress"].clone();
            emit(
                cli.json,
                &json!({ "address": address, "transaction": receipt["transactionHash"], "gas_used": receipt["gasUsed"], "block": receipt["blockNumber"] }),
                || {
                    format!(
                        "deployed at {}\n  transaction {}\n  block {}, gas used {}",
                        address.as_str().unwrap_or("?"),
                        receipt["transactionHash"].as_str().unwrap_or("?"),
                        receipt["blockNumber"].as_str().unwrap_or("?"),
                        receipt["gasUsed"].as_str().unwrap_or("?"),
                    )
                },
            );
        }
        ContractCmd::Call { address, signature, args, from } => {
            let (f, input) = encode_call(signature, args)?;
            let to = parse_address(address)?;
            let mut call = json!({ "to": to, "data": format!("0x{}", hex::encode(&input)) });
            if let Some(from) = from {
                call["from"] = json!(parse_address(from)?);
            }
            let out = match rpc.call(call).await? {
                Ok(out) => out,
                Err(f) => bail!("{}", failure_message(&f)),
            };
            if f.outputs.is_empty() {
                emit(cli.json, &json!({ "raw": format!("0x{}", hex::encode(&out)) }), || {
                    format!("0x{}", hex::encode(&out))
                });
            } else {
                let decoded =
                    f.abi_decode_output(&out).map_err(|e| anyhow!("cannot decode the result as {signature}: {e}"))?;
                let shown: Vec<String> = decoded.iter().map(show_value).collect();
                emit(cli.json, &json!({ "result": shown }), || shown.join("\n"));
            }
        }
        ContractCmd::Send { address, signature, args, gas, value } => {
            let (_, input) = encode_call(signature, args)?;
            let receipt = transact(cli, &rpc, Some(parse_address(address)?), input, parse_value(value)?, *gas).await?;
            let logs = receipt["logs"].as_array().map_or(0, Vec::len);
            emit(cli.json, &receipt, || {
                format!(
                    "transaction {} succeeded\n  block {}, gas used {}, {} log(s)",
                    receipt["transactionHash"].as_str().unwrap_or("?"),
                    receipt["blockNumber"].as_str().unwrap_or("?"),
                    receipt["gasUsed"].as_str().unwrap_or("?"),
                    logs
                )
            });
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_in_both_styles() {
        let f = parse_function("balanceOf(address)(uint256)").unwrap();
        assert_eq!((f.name.as_str(), f.inputs.len(), f.outputs.len()), ("balanceOf", 1, 1));
        let g = parse_function("function transfer(address to, uint256 amount) returns (bool)").unwrap();
        assert_eq!((g.name.as_str(), g.inputs.len(), g.outputs.len()), ("transfer", 2, 1));
        assert_eq!(hex::encode(g.selector()), "a9059cbb");
        assert!(parse_function("not a function").is_err());
    }

    #[test]
    fn arguments_are_converted_by_type() {
        let types = [DynSolType::Address, DynSolType::Uint(256), DynSolType::Bool, DynSolType::String];
        let args: Vec<String> = ["0x000000000000000000000000000000000000dEaD", "1000", "true", "hi"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let v = coerce_args(&types, &args, "f").unwrap();
        assert_eq!(show_value(&v[1]), "1000");
        assert_eq!(show_value(&v[3]), "\"hi\"");
        let err = coerce_args(&types[..1], &["nope".to_string()], "f").unwrap_err().to_string();
        assert!(err.contains("argument 1"), "{err}");
        assert!(coerce_args(&types, &args[..1], "f").unwrap_err().to_string().contains("takes 4 arguments"));
    }
}
