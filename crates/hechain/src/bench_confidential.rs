//! `hechain bench confidential`: confidential transfers (hidden amounts, Bulletproofs range
//! proofs and balance proofs).
//!
//! Two figures:
//! 1. **Verification**: the chain's checks of one transfer (the range proof over its two
//!    outputs and the balance proof) run over prepared transfers on every core for `--duration`
//!    seconds: transfers verified per second, and per core.
//! 2. **Committed on a node**: a dev node in this process; one issuer issues notes to
//!    `--transfers` accounts, each account then pays another with change (two outputs), all
//!    submitted at once: committed confidential transfers per second, from submission to the last
//!    commit. The node verifies every proof on admission and again in the block's parallel pass.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use hechain_confidential::exec::FlowKind;
use hechain_confidential::proof::{verify_balance, BalanceContext};
use hechain_confidential::wallet::{self, Chain, Opened, Pay};
use hechain_confidential::{seal, ConfidentialCall, ConfidentialEvent, Flow, Note};
use hechain_crypto::{AccountKey, Suite};
use hechain_node::dev;
use hechain_sdk::{BatchResult, Client};
use hechain_types::{Address, Codec, Event, Payload, Transaction, H256};
use rayon::prelude::*;
use serde_json::json;

use crate::bench::start_own_node;
use crate::output::emit;
use crate::Cli;

#[derive(Args, Debug)]
pub struct ConfidentialArgs {
    /// Seconds of the verification measurement.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Confidential transfers committed on the node (each by its own account).
    #[arg(long, default_value_t = 1000)]
    pub transfers: usize,
    /// Block interval of the node, in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub block_time: u64,
    /// Cryptographic suite of the node (sealed openings use its AEAD).
    #[arg(long, default_value = "standard")]
    pub suite: Suite,
}

/// Holders paid by one issue (besides the issuer's new reserve): eight outputs in all.
const HOLDERS_PER_ISSUE: usize = 7;
/// What each holder is issued.
const ISSUED: u64 = 1_000;

pub async fn run(cli: &Cli, a: &ConfidentialArgs) -> anyhow::Result<i32> {
    if a.transfers < 2 || a.duration == 0 {
        bail!("--transfers must be at least 2 and --duration positive");
    }
    if cli.rpc.is_some() {
        bail!("bench confidential runs its own node; --rpc does not apply");
    }
    let issuer_key = dev::dev_account_key(a.suite, 0);
    let keys: Vec<AccountKey> = (0..a.transfers).map(|i| dev::bench_account_key(a.suite, i)).collect();
    let mut funded: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
    funded.push(Address(issuer_key.address()));
    let (node, _dir, url) = start_own_node(a.suite, &funded, a.block_time, false).await?;
    let result = bench(cli, a, &url, issuer_key, keys).await;
    node.shutdown().await;
    result
}

/// Signs and submits calls (key, nonce, call), waits for all to commit and returns their
/// events, in order; a refusal or a failed call is an error.
async fn submit(client: &Client, calls: Vec<(&AccountKey, u64, ConfidentialCall)>) -> anyhow::Result<Vec<Vec<Event>>> {
    let status = client.status().await?;
    let (chain_id, fee, suite) = (status.chain_id, status.min_fee, status.suite);
    let raw = calls
        .into_par_iter()
        .map(|(key, nonce, call)| -> anyhow::Result<(H256, String)> {
            let tx = Transaction {
                chain_id,
                nonce,
                sender: Address(key.address()),
                fee,
                payload: Payload::Confidential(call),
            }
            .sign(key)?;
            Ok((tx.hash(suite), format!("0x{}", hex::encode(tx.encode()))))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut hashes = Vec::with_capacity(raw.len());
    for chunk in raw.chunks(500) {
        let hex: Vec<String> = chunk.iter().map(|(_, r)| r.clone()).collect();
        for (r, (h, _)) in client.submit_raw_batch(&hex).await?.into_iter().zip(chunk) {
            if let BatchResult::Err { error } = r {
                bail!("a confidential call was refused: {} ({})", error.message, error.code);
            }
            hashes.push(*h);
        }
    }
    // Receipts in batches, every 50 ms, until every call has committed.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut events: Vec<Option<Vec<Event>>> = vec![None; hashes.len()];
    loop {
        let missing: Vec<usize> = (0..hashes.len()).filter(|i| events[*i].is_none()).collect();
        if missing.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            bail!("{} confidential calls did not commit within 300 s", missing.len());
        }
        for chunk in missing.chunks(500) {
            let asked: Vec<H256> = chunk.iter().map(|i| hashes[*i]).collect();
            for (i, r) in chunk.iter().zip(client.receipts(&asked).await?) {
                let Some(r) = r else { continue };
                if let hechain_types::TxStatus::Failed { reason } = &r.receipt.status {
                    bail!("a confidential call failed: {reason}");
                }
                events[*i] = Some(r.receipt.events);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(events.into_iter().flatten().collect())
}

/// The notes a move created (from its receipt's events).
fn created(events: &[Event]) -> anyhow::Result<Vec<u64>> {
    events
        .iter()
        .find_map(|e| match e {
            Event::Confidential(ConfidentialEvent::Moved { created, .. }) => Some(created.clone()),
            _ => None,
        })
        .context("the move reported no notes")
}

async fn note(client: &Client, id: u64) -> anyhow::Result<Note> {
    Ok(client.get(&format!("/confidential/notes/{id}")).await?)
}

fn view_of(key: &AccountKey) -> hechain_confidential::Scalar {
    seal::view_secret(&key.derive_secret(seal::VIEW_KEY_PURPOSE))
}

/// One prepared transfer: its call and what the chain checks it against.
struct Prepared {
    sender: Address,
    inputs: Vec<(u64, H256)>,
    flow: Flow,
}

impl Prepared {
    /// The chain's checks of the transfer: range proof, then balance proof.
    fn verify(&self, chain: H256) -> Result<(), String> {
        self.flow.verify_range()?;
        let cx = BalanceContext {
            chain,
            sender: self.sender,
            kind: FlowKind::Transfer.call_type(),
            inputs: &self.inputs,
            outputs: &self.flow.outputs,
            range_proof: &self.flow.range_proof,
        };
        verify_balance(&cx, &self.flow.balance_proof)
    }
}

async fn bench(
    cli: &Cli,
    a: &ConfidentialArgs,
    url: &str,
    issuer: AccountKey,
    keys: Vec<AccountKey>,
) -> anyhow::Result<i32> {
    let client = Client::new(url)?;
    let status = client.status().await?;
    let chain = Chain { genesis: status.genesis_hash, suite: status.suite, auditor: None };
    let me = Address(issuer.address());
    let n = keys.len();

    // Round 0: every account registers its view key; the issuer creates the asset.
    let t0 = Instant::now();
    let views: Vec<H256> = keys.par_iter().map(|k| seal::view_public(&view_of(k))).collect();
    let issuer_view = view_of(&issuer);
    let mut calls: Vec<(&AccountKey, u64, ConfidentialCall)> =
        keys.iter().zip(&views).map(|(k, v)| (k, 0, ConfidentialCall::RegisterViewKey { view_key: *v })).collect();
    calls.push((&issuer, 0, ConfidentialCall::RegisterViewKey { view_key: seal::view_public(&issuer_view) }));
    submit(&client, calls).await?;
    let cap = ISSUED * n as u64;
    let ev = submit(&client, vec![(&issuer, 1, ConfidentialCall::CreateAsset { name: "bench".into(), cap })]).await?;
    let mut reserve_id = match ev.first().and_then(|e| e.first()) {
        Some(Event::Confidential(ConfidentialEvent::AssetCreated { reserve, .. })) => *reserve,
        other => bail!("creating the asset reported {other:?}"),
    };

    // Issues: seven holders each (eight outputs with the new reserve), one after the other.
    eprintln!("issuing {ISSUED} to each of {n} accounts…");
    let mut holdings: Vec<Option<u64>> = vec![None; n];
    for (nonce, start) in (2..).zip((0..n).step_by(HOLDERS_PER_ISSUE)) {
        let end = (start + HOLDERS_PER_ISSUE).min(n);
        let reserve = wallet::open(chain.suite, &issuer_view, &note(&client, reserve_id).await?, cap)
            .map_err(anyhow::Error::msg)?;
        let mut pays = vec![Pay {
            to: me,
            view_key: seal::view_public(&issuer_view),
            value: reserve.value - ISSUED * (end - start) as u64,
        }];
        for i in start..end {
            pays.push(Pay { to: Address(keys[i].address()), view_key: views[i], value: ISSUED });
        }
        let flow = wallet::build(&chain, (me, FlowKind::Issue), &[reserve], &pays, &mut wallet::os_rng())
            .map_err(anyhow::Error::msg)?;
        let ev = submit(&client, vec![(&issuer, nonce, ConfidentialCall::Issue { flow })]).await?;
        let ids = created(ev.first().map(Vec::as_slice).unwrap_or_default())?;
        reserve_id = ids[0];
        for (i, id) in (start..end).zip(&ids[1..]) {
            holdings[i] = Some(*id);
        }
    }

    // Each account pays the next one 400 and keeps 600 (two outputs): proofs made in parallel.
    eprintln!("proving {n} transfers…");
    let mut notes = Vec::with_capacity(n);
    for h in &holdings {
        notes.push(note(&client, h.context("an account was not issued a note")?).await?);
    }
    let prepared = (0..n)
        .into_par_iter()
        .map(|i| -> anyhow::Result<Prepared> {
            let key = &keys[i];
            let opened: Opened =
                wallet::open(chain.suite, &view_of(key), &notes[i], cap).map_err(anyhow::Error::msg)?;
            let next = (i + 1) % n;
            let pays = [
                Pay { to: Address(keys[next].address()), view_key: views[next], value: 400 },
                Pay { to: Address(key.address()), view_key: views[i], value: ISSUED - 400 },
            ];
            let sender = Address(key.address());
            let inputs = vec![(opened.note.id, opened.note.commitment)];
            let flow = wallet::build(&chain, (sender, FlowKind::Transfer), &[opened], &pays, &mut wallet::os_rng())
                .map_err(anyhow::Error::msg)?;
            Ok(Prepared { sender, inputs, flow })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let setup = t0.elapsed();

    // 1. Verification on every core.
    eprintln!("verifying for {} s on {} threads…", a.duration, rayon::current_num_threads());
    let chain_id = chain.genesis;
    let duration = Duration::from_secs(a.duration);
    let (verified, elapsed, prepared) =
        tokio::task::spawn_blocking(move || -> Result<(u64, Duration, Vec<Prepared>), String> {
            let start = Instant::now();
            let mut count = 0u64;
            while start.elapsed() < duration {
                prepared.par_iter().try_for_each(|t| t.verify(chain_id))?;
                count += prepared.len() as u64;
            }
            Ok((count, start.elapsed(), prepared))
        })
        .await?
        .map_err(anyhow::Error::msg)?;
    let verify_rate = verified as f64 / elapsed.as_secs_f64();

    // 2. Committed on the node: all transfers at once.
    eprintln!("submitting {n} transfers to the node…");
    let calls: Vec<(&AccountKey, u64, ConfidentialCall)> = keys
        .iter()
        .zip(prepared.iter())
        .map(|(k, p)| (k, 1, ConfidentialCall::Transfer { flow: p.flow.clone() }))
        .collect();
    let start = Instant::now();
    submit(&client, calls).await?;
    let window = start.elapsed();
    let commit_rate = n as f64 / window.as_secs_f64();

    let v = json!({
        "workload": "confidential transfers (two outputs: 64-bit aggregated range proof + balance proof)",
        "threads": rayon::current_num_threads(),
        "verified": verified, "verify_seconds": elapsed.as_secs_f64(), "verified_per_s": verify_rate,
        "verified_per_s_per_thread": verify_rate / rayon::current_num_threads() as f64,
        "committed": n, "commit_seconds": window.as_secs_f64(), "committed_per_s": commit_rate,
        "setup_seconds": setup.as_secs_f64(), "block_time_ms": a.block_time, "suite": a.suite.to_string(),
    });
    emit(cli.json, &v, || {
        format!(
            "confidential transfers (two outputs each: aggregated 64-bit range proof + balance proof)\n  verification  {verified} in {:.1} s on {} threads: {verify_rate:.0} transfers/s ({:.0} per thread)\n  on the node   {n} submitted at once, committed in {:.2} s: {commit_rate:.0} transfers/s\n  setup         {:.1} s (view keys, issues, proving)",
            elapsed.as_secs_f64(),
            rayon::current_num_threads(),
            verify_rate / rayon::current_num_threads() as f64,
            window.as_secs_f64(),
            setup.as_secs_f64()
        )
    });
    Ok(0)
}
