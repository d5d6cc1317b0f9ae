//! [`ChainIo`] over a node's REST API, signing with the relayer's account.

use std::time::Duration;

use hechain_chain::{smt::Proof, BlockHeader, Genesis, Seal};
use hechain_crosschain::views::{AckEntry, AckPage, ChannelView, ClientView};
use hechain_crosschain::{CrosschainCall, Packet};
use hechain_crypto::AccountKey;
use hechain_governance::Membership;
use hechain_sdk::{BatchResult, Client, SdkError};
use hechain_types::{Address, Event, Payload, Transaction, TxStatus};
use serde::Deserialize;

use crate::{ChainIo, RelayError, Submitted};

/// How long the relayer waits for its transactions to be committed.
const COMMIT_TIMEOUT: Duration = Duration::from_secs(60);

/// A chain reached through one node's REST API.
pub struct RestChain {
    client: Client,
    key: AccountKey,
}

impl RestChain {
    /// The node at `url`, the relayer signing with `key` (it pays the fees).
    pub fn new(url: &str, key: AccountKey) -> Result<Self, RelayError> {
        let client = Client::new(url).map_err(|e| RelayError::Chain { chain: url.into(), message: e.to_string() })?;
        Ok(RestChain { client, key })
    }

    /// The node's REST client.
    pub fn sdk(&self) -> &Client {
        &self.client
    }

    fn err(&self, e: SdkError) -> RelayError {
        RelayError::Chain { chain: self.name(), message: e.to_string() }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, RelayError> {
        self.client.get(path).await.map_err(|e| self.err(e))
    }
}

#[derive(Deserialize)]
struct SealedBlock {
    header: BlockHeader,
    seal: Seal,
}

#[derive(Deserialize)]
struct StateProof {
    proof: Proof,
    value: Option<String>,
}

#[derive(Deserialize)]
struct StateProofs {
    proofs: Vec<StateProof>,
}

#[derive(Deserialize)]
struct EpochPage {
    epochs: Vec<Membership>,
    next_after: Option<u64>,
}

impl ChainIo for RestChain {
    fn name(&self) -> String {
        self.client.base().trim_end_matches("/api/v1").to_string()
    }

    async fn genesis(&self) -> Result<Genesis, RelayError> {
        self.client.genesis().await.map_err(|e| self.err(e))
    }

    async fn head(&self) -> Result<u64, RelayError> {
        Ok(self.client.status().await.map_err(|e| self.err(e))?.height)
    }

    async fn sealed(&self, height: u64) -> Result<(BlockHeader, Seal), RelayError> {
        let b: SealedBlock = self.get(&format!("/blocks/{height}")).await?;
        Ok((b.header, b.seal))
    }

    async fn proof(&self, key: &[u8], height: u64) -> Result<Proof, RelayError> {
        let p: StateProof = self.get(&format!("/state/proof?key=0x{}&height={height}", hex::encode(key))).await?;
        Ok(p.proof)
    }

    async fn proofs(&self, keys: &[Vec<u8>], height: u64) -> Result<Vec<Proof>, RelayError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(1000) {
            let body = serde_json::json!({
                "height": height,
                "keys": chunk.iter().map(|k| format!("0x{}", hex::encode(k))).collect::<Vec<_>>(),
            });
            let r: StateProofs = self.client.post("/state/proofs", &body).await.map_err(|e| self.err(e))?;
            if r.proofs.len() != chunk.len() {
                return Err(self.err(SdkError::Decode(format!("{} proofs for {} keys", r.proofs.len(), chunk.len()))));
            }
            out.extend(r.proofs.into_iter().map(|p| p.proof));
        }
        Ok(out)
    }

    async fn value(&self, key: &[u8]) -> Result<Option<Vec<u8>>, RelayError> {
        let p: StateProof = self.get(&format!("/state/proof?key=0x{}", hex::encode(key))).await?;
        p.value
            .map(|v| hex::decode(v.trim_start_matches("0x")).map_err(|e| self.err(SdkError::Decode(e.to_string()))))
            .transpose()
    }

    async fn memberships(&self) -> Result<Vec<Membership>, RelayError> {
        let mut out = Vec::new();
        let mut after: Option<u64> = None;
        loop {
            let q = after.map(|a| format!("&after={a}")).unwrap_or_default();
            let page: EpochPage = self.get(&format!("/governance/epochs?limit=100{q}")).await?;
            out.extend(page.epochs);
            match page.next_after {
                Some(a) => after = Some(a),
                None => return Ok(out),
            }
        }
    }

    async fn client(&self, id: u64) -> Result<ClientView, RelayError> {
        self.client.xchain_client(id).await.map_err(|e| self.err(e))
    }

    async fn channel(&self, id: u64) -> Result<ChannelView, RelayError> {
        self.client.xchain_channel(id).await.map_err(|e| self.err(e))
    }

    async fn pending(&self, channel: u64) -> Result<Vec<Packet>, RelayError> {
        let mut out = Vec::new();
        let mut after: Option<u64> = None;
        loop {
            let page = self.client.xchain_pending_packets(channel, after).await.map_err(|e| self.err(e))?;
            out.extend(page.packets);
            match page.next_after {
                Some(a) => after = Some(a),
                None => return Ok(out),
            }
        }
    }

    async fn acks(&self, channel: u64, after: u64) -> Result<Vec<AckEntry>, RelayError> {
        let mut out = Vec::new();
        let mut after = after;
        loop {
            let page: AckPage = self.get(&format!("/xchain/channels/{channel}/acks?limit=1000&after={after}")).await?;
            out.extend(page.acks);
            match page.next_after {
                Some(a) => after = a,
                None => return Ok(out),
            }
        }
    }

    async fn submit(&self, calls: Vec<CrosschainCall>) -> Result<Vec<Submitted>, RelayError> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let status = self.client.status().await.map_err(|e| self.err(e))?;
        let sender = Address(self.key.address());
        let nonce = self.client.account(&sender).await.map_err(|e| self.err(e))?.pending_nonce;
        let mut frames = Vec::new();
        let mut hashes = Vec::with_capacity(calls.len());
        for (i, call) in calls.into_iter().enumerate() {
            let tx = Transaction {
                chain_id: status.chain_id,
                nonce: nonce + i as u64,
                sender,
                fee: status.min_fee,
                payload: Payload::Crosschain(call),
            }
            .sign(&self.key)
            .map_err(|e| self.err(SdkError::Local(e.to_string())))?;
            hashes.push(tx.hash(status.suite));
            hechain_sdk::frame(&mut frames, &tx);
        }
        let admitted = self.client.submit_binary_batch(frames).await.map_err(|e| self.err(e))?;
        // The relayer's transactions commit in nonce order: once the last admitted one has, all
        // have. Then one request for every receipt.
        let last =
            admitted.iter().zip(&hashes).rev().find_map(|(r, h)| matches!(r, BatchResult::Ok { .. }).then_some(*h));
        if let Some(h) = last {
            self.client.wait_receipt(&h, COMMIT_TIMEOUT).await.map_err(|e| self.err(e))?;
        }
        let receipts = self.client.receipts(&hashes).await.map_err(|e| self.err(e))?;
        Ok(admitted
            .into_iter()
            .zip(receipts)
            .map(|(a, r)| match (a, r) {
                (BatchResult::Err { error }, _) => Err(format!("{} ({})", error.message, error.code)),
                (BatchResult::Ok { hash }, None) => Err(format!("transaction {hash} was admitted but not committed")),
                (BatchResult::Ok { .. }, Some(r)) => match r.receipt.status {
                    TxStatus::Success => Ok(r
                        .receipt
                        .events
                        .into_iter()
                        .filter_map(|e| match e {
                            Event::Crosschain(e) => Some(e),
                            _ => None,
                        })
                        .collect()),
                    TxStatus::Failed { reason } => Err(reason),
                },
            })
            .collect())
    }
}
