//! `hechain bench erc20`: ERC-20 transfers signed as Ethereum transactions (EIP-1559) from many
//! senders, submitted through the Ethereum JSON-RPC (`eth_sendRawTransaction` batches), executed
//! on the EVM. Reports committed transfers per second and submit-to-commit latency.
//!
//! Setup (not measured): the token (`contracts/test/HechainToken.sol`) is deployed by the first
//! bench account, which then sends every sender a token balance; gas is paid from the senders'
//! native balances (funded at genesis for the bench's own node, or by the signer on `--rpc`).

use std::sync::Arc;
use std::time::Duration;

use alloy_consensus::TxEip1559;
use alloy_primitives::{TxKind, U256};
use alloy_sol_types::{sol, SolCall, SolValue};
use anyhow::{bail, Context};
use clap::Args;
use hechain_crypto::{AccountKey, Suite};
use hechain_node::{dev, Node};
use hechain_sdk::eth::EthClient;
use hechain_sdk::Client;
use hechain_types::{Address, EthTransaction};
use serde_json::json;

use crate::bench_load::{run_load, Admission, LoadPlan, MakeTx, Prepared, SubmitPath};
use crate::Cli;

sol! {
    interface IErc20 {
        function transfer(address to, uint256 value) external returns (bool);
    }
}

/// The token the bench deploys (compiled by `contracts/build.mjs`).
const TOKEN_ARTIFACT: &str = include_str!("../../../contracts/artifacts/HechainToken.json");

#[derive(Args, Debug)]
pub struct Erc20Args {
    /// How long load is offered, in seconds (then the bench waits for accepted transactions to
    /// commit, at most --drain-timeout seconds, reported separately).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Cap on the offered load in transactions per second: rate × duration transfers are
    /// offered, evenly over the load window (fewer only if signing falls behind).
    #[arg(long, visible_alias = "max-tps", default_value_t = 30_000)]
    pub rate: u64,
    /// Number of sending accounts.
    #[arg(long, default_value_t = 2000)]
    pub accounts: usize,
    /// Most transactions per JSON-RPC batch request.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Concurrent HTTP connections.
    #[arg(long, default_value_t = 8)]
    pub connections: usize,
    /// Seconds to wait after the load for accepted transactions to commit.
    #[arg(long, default_value_t = 60)]
    pub drain_timeout: u64,
    /// Own node only: block interval in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub block_time: u64,
}

fn token_creation_code() -> anyhow::Result<Vec<u8>> {
    let (_, mut code) = crate::cmd_contract::parse_artifact(TOKEN_ARTIFACT, "the built-in token artifact")?;
    let supply = U256::from(10u64).pow(U256::from(30u64));
    code.extend_from_slice(&("Bench".to_string(), "BNC".to_string(), supply).abi_encode_params());
    Ok(code)
}

struct Signer<'a> {
    chain_id: u64,
    base_fee: u128,
    key: &'a AccountKey,
}

impl Signer<'_> {
    fn sign(&self, nonce: u64, to: Option<Address>, input: Vec<u8>, gas: u64) -> anyhow::Result<EthTransaction> {
        let tx = TxEip1559 {
            chain_id: self.chain_id,
            nonce,
            gas_limit: gas,
            max_fee_per_gas: self.base_fee,
            max_priority_fee_per_gas: 0,
            to: to.map_or(TxKind::Create, |a| TxKind::Call(a.0.into())),
            value: U256::ZERO,
            access_list: Default::default(),
            input: input.into(),
        };
        Ok(EthTransaction::sign(tx, self.key)?)
    }
}

fn transfer_call(to: Address, amount: u64) -> Vec<u8> {
    IErc20::transferCall { to: to.0.into(), value: U256::from(amount) }.abi_encode()
}

fn sink(i: usize) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xe2;
    a[12..20].copy_from_slice(&(i as u64).to_be_bytes());
    Address(a)
}

/// Submits transactions in JSON-RPC batches and waits for the last one's receipt.
async fn submit_all(rpc: &Arc<EthClient>, txs: &[EthTransaction], what: &str) -> anyhow::Result<()> {
    let path = SubmitPath::EthBatch(rpc.clone());
    let prepared: Vec<Prepared> = txs.iter().map(|t| Prepared { bytes: t.raw().to_vec(), account: 0 }).collect();
    for chunk in prepared.chunks(500) {
        for r in path.submit(chunk).await.map_err(|e| anyhow::anyhow!("{what}: {e}"))? {
            match r {
                Admission::Accepted(_) => {}
                Admission::Retry => bail!("{what}: the pool is full"),
                Admission::Refused(e) => bail!("{what}: {e}"),
            }
        }
    }
    if let Some(last) = txs.last() {
        let r = rpc.wait_receipt(&last.hash(), Duration::from_secs(120)).await.with_context(|| what.to_string())?;
        if r["status"] != json!("0x1") {
            bail!("{what} failed: {}", r["hechainFailure"]);
        }
    }
    Ok(())
}

pub async fn run(cli: &Cli, a: &Erc20Args) -> anyhow::Result<i32> {
    if a.accounts == 0 {
        bail!("--accounts must be positive");
    }
    let plan = LoadPlan::new(a.duration, a.rate, a.batch, a.connections, a.drain_timeout)?;
    // The deployer (account 0) and the senders that send at least one transfer.
    let keys: Vec<AccountKey> =
        (0..plan.used_accounts(a.accounts) + 1).map(|i| dev::bench_account_key(Suite::Standard, i)).collect();
    let mut own: Option<(Node, tempfile::TempDir)> = None;
    let url = match &cli.rpc {
        Some(u) => u.clone(),
        None => {
            let addrs: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
            let (node, dir, u) = crate::bench::start_own_node(Suite::Standard, &addrs, a.block_time, true).await?;
            own = Some((node, dir));
            u
        }
    };
    let result = bench(cli, &plan, &url, &keys, own.is_none()).await;
    if let Some((node, _dir)) = own.take() {
        node.shutdown().await;
    }
    result
}

async fn bench(cli: &Cli, plan: &LoadPlan, url: &str, keys: &[AccountKey], external: bool) -> anyhow::Result<i32> {
    let client = Client::new(url)?;
    let rpc = Arc::new(EthClient::new(url)?);
    let chain_id = rpc.chain_id().await?;
    let base_fee = rpc.gas_price().await?;
    let (deployer, senders) = keys.split_first().context("no bench accounts")?;
    let per_account = plan.per_account(senders.len());
    let transfer_gas = 60_000u64;
    if external {
        // Gas for every transfer, from the signer (as `bench transfer` does).
        let need = (u128::from(per_account) + 2) * transfer_gas as u128 * base_fee.max(1) + 1;
        let addrs: Vec<Address> = keys.iter().map(|k| Address(k.address())).collect();
        if client.account(&addrs[1]).await?.balance < need {
            let status = client.status().await?;
            eprintln!("funding {} bench accounts from the signer…", addrs.len());
            crate::bench::fund(cli, &client, status.suite, status.chain_id, status.min_fee, &addrs, need * 2).await?;
        }
    }
    // Deploy the token and give every sender a balance (setup, not measured).
    let d = Signer { chain_id, base_fee, key: deployer };
    let deployer_addr = Address(deployer.address());
    let mut nonce = rpc.pending_nonce(&deployer_addr).await?;
    let create = d.sign(nonce, None, token_creation_code()?, 3_000_000)?;
    nonce += 1;
    submit_all(&rpc, std::slice::from_ref(&create), "deploying the token").await?;
    let receipt = rpc.receipt(&create.hash()).await?.context("token receipt")?;
    let token: Address = serde_json::from_value(receipt["contractAddress"].clone()).context("token address")?;
    eprintln!("token deployed at {token}; giving {} senders a balance…", senders.len());
    let mut grants = Vec::with_capacity(senders.len());
    for k in senders {
        grants.push(d.sign(nonce, Some(token), transfer_call(Address(k.address()), 1_000_000_000), transfer_gas)?);
        nonce += 1;
    }
    submit_all(&rpc, &grants, "distributing tokens").await?;

    let mut start_nonces = Vec::with_capacity(senders.len());
    for k in senders {
        start_nonces.push(rpc.pending_nonce(&Address(k.address())).await?);
    }
    let make: MakeTx = {
        let senders = senders.to_vec();
        Arc::new(move |i, nonce| {
            let s = Signer { chain_id, base_fee, key: &senders[i] };
            s.sign(nonce, Some(token), transfer_call(sink(i), 1), transfer_gas)
                .map(|t| t.raw().to_vec())
                .map_err(|e| e.to_string())
        })
    };
    let height = client.status().await?.height;
    let path = SubmitPath::EthBatch(rpc.clone());
    let report = run_load(&client, &path, plan, start_nonces, make, height).await?;
    report.print(cli, json!({ "accounts": senders.len(), "workload": "erc20 transfers", "token": token }))
}
