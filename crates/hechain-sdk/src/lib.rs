//! Client for a hechain node's REST API (`/api/v1`), and [`eth::EthClient`] for its Ethereum JSON-RPC.
//!
//! ```no_run
//! # async fn demo() -> Result<(), hechain_sdk::SdkError> {
//! let client = hechain_sdk::Client::new("http://127.0.0.1:8545")?;
//! let status = client.status().await?;
//! println!("height {}", status.height);
//! # Ok(()) }
//! ```

mod dto;
pub mod eth;

pub use dto::*;

use hechain_types::GenesisExt;
use std::time::{Duration, Instant};

use hechain_cert::{EvidenceCertificate, RecordCertificate};
use hechain_crypto::AccountKey;
use hechain_types::{
    Address, Codec, CopyrightWork, Dataset, EvidenceMeta, EvidenceRecord, Payload, Receipt, SignedTransaction, Subject,
    TraceBatch, TraceItem, Transaction, TxStatus, VoucherPart, H256,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Errors talking to a node.
#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    /// The node answered with an error.
    #[error("{message} ({code}, HTTP {status})")]
    Api {
        /// HTTP status.
        status: u16,
        /// Machine-readable code.
        code: String,
        /// Human message.
        message: String,
    },
    /// The node could not be reached.
    #[error("cannot reach {url}: {reason}")]
    Transport {
        /// URL.
        url: String,
        /// Cause.
        reason: String,
    },
    /// The answer did not have the expected shape.
    #[error("unexpected response from the node: {0}")]
    Decode(String),
    /// Waiting timed out.
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(Duration, String),
    /// Local problem (bad argument, signing).
    #[error("{0}")]
    Local(String),
}

impl SdkError {
    /// The API error code, if this is an API error.
    pub fn code(&self) -> Option<&str> {
        match self {
            SdkError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A REST client.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    /// A client for the node at `url` (e.g. `http://127.0.0.1:8545`).
    pub fn new(url: &str) -> Result<Self, SdkError> {
        Ok(Self { base: format!("{}/api/v1", url.trim_end_matches('/')), http: http_client()? })
    }

    /// The API base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn handle<T: DeserializeOwned>(&self, url: &str, resp: reqwest::Response) -> Result<T, SdkError> {
        let status = resp.status();
        let bytes =
            resp.bytes().await.map_err(|e| SdkError::Transport { url: url.to_string(), reason: e.to_string() })?;
        if !status.is_success() {
            #[derive(Deserialize)]
            struct Wrap {
                error: ApiErrorBody,
            }
            return Err(match serde_json::from_slice::<Wrap>(&bytes) {
                Ok(w) => SdkError::Api { status: status.as_u16(), code: w.error.code, message: w.error.message },
                Err(_) => SdkError::Api {
                    status: status.as_u16(),
                    code: "http_error".into(),
                    message: String::from_utf8_lossy(&bytes).into_owned(),
                },
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| SdkError::Decode(format!("{url}: {e}")))
    }

    /// GET a path under the API base, decoding JSON.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, SdkError> {
        let url = format!("{}{}", self.base, path);
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| SdkError::Transport { url: url.clone(), reason: e.to_string() })?;
        self.handle(&url, resp).await
    }

    /// GET that answers `None` when the node says 404 (absent object).
    pub async fn get_optional<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, SdkError> {
        match self.get(path).await {
            Ok(r) => Ok(Some(r)),
            Err(SdkError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// POST JSON to a path under the API base.
    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, SdkError> {
        let url = format!("{}{}", self.base, path);
        let resp = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| SdkError::Transport { url: url.clone(), reason: e.to_string() })?;
        self.handle(&url, resp).await
    }

    /// Chain status.
    pub async fn status(&self) -> Result<Status, SdkError> {
        self.get("/status").await
    }

    /// The chain's genesis (`GET /genesis`), parsed and validated.
    pub async fn genesis(&self) -> Result<hechain_types::Genesis, SdkError> {
        let v: Value = self.get("/genesis").await?;
        hechain_types::Genesis::from_json(&v.to_string())
            .map_err(|e| SdkError::Decode(format!("{}/genesis: {e}", self.base)))
    }

    /// Account state.
    pub async fn account(&self, addr: &Address) -> Result<AccountInfo, SdkError> {
        self.get(&format!("/accounts/{addr}")).await
    }

    /// Submits a signed transaction; returns its hash.
    pub async fn submit(&self, tx: &SignedTransaction) -> Result<H256, SdkError> {
        #[derive(Deserialize)]
        struct R {
            hash: H256,
        }
        let raw = format!("0x{}", hex::encode(tx.encode()));
        let r: R = self.post("/transactions", &serde_json::json!({ "raw": raw })).await?;
        Ok(r.hash)
    }

    /// Submits pre-encoded transactions (`0x` hex of the canonical bytes) in one request.
    pub async fn submit_raw_batch(&self, raw: &[String]) -> Result<Vec<BatchResult>, SdkError> {
        #[derive(Deserialize)]
        struct R {
            results: Vec<BatchResult>,
        }
        let r: R = self.post("/transactions/batch", &serde_json::json!({ "raw": raw })).await?;
        Ok(r.results)
    }

    /// Submits transactions in the binary batch form: `frames` is the
    /// concatenation of, per transaction, its length (u32 LE) and canonical
    /// bytes (see [`frame`]). Cheaper than JSON for large batches.
    pub async fn submit_binary_batch(&self, frames: Vec<u8>) -> Result<Vec<BatchResult>, SdkError> {
        #[derive(Deserialize)]
        struct R {
            results: Vec<BatchResult>,
        }
        let url = format!("{}/transactions/batch", self.base);
        let resp = self
            .http
            .post(&url)
            .header("content-type", "application/octet-stream")
            .body(frames)
            .send()
            .await
            .map_err(|e| SdkError::Transport { url: url.clone(), reason: e.to_string() })?;
        let r: R = self.handle(&url, resp).await?;
        Ok(r.results)
    }

    /// A block (by height or `0x` hash, or `latest`), as JSON.
    pub async fn block(&self, id: &str, full: bool) -> Result<Value, SdkError> {
        self.get(&format!("/blocks/{id}{}", if full { "?full=true" } else { "" })).await
    }

    /// A transaction, as JSON (committed or pending).
    pub async fn transaction(&self, hash: &H256) -> Result<Value, SdkError> {
        self.get(&format!("/transactions/{hash}")).await
    }

    /// A receipt, if the transaction is committed.
    pub async fn receipt(&self, hash: &H256) -> Result<Option<ReceiptInfo>, SdkError> {
        self.get_optional(&format!("/receipts/{hash}")).await
    }

    /// Receipts of many transactions (`None` for one not committed), in order.
    pub async fn receipts(&self, hashes: &[H256]) -> Result<Vec<Option<ReceiptInfo>>, SdkError> {
        #[derive(Deserialize)]
        struct R {
            receipts: Vec<Option<ReceiptInfo>>,
        }
        let mut out = Vec::with_capacity(hashes.len());
        for chunk in hashes.chunks(1000) {
            let r: R = self.post("/receipts", &serde_json::json!({ "hashes": chunk })).await?;
            out.extend(r.receipts);
        }
        Ok(out)
    }

    /// Polls until the transaction is committed.
    pub async fn wait_receipt(&self, hash: &H256, timeout: Duration) -> Result<ReceiptInfo, SdkError> {
        let start = Instant::now();
        loop {
            if let Some(r) = self.receipt(hash).await? {
                return Ok(r);
            }
            if start.elapsed() > timeout {
                return Err(SdkError::Timeout(timeout, format!("transaction {hash}")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Evidence record by id.
    pub async fn evidence(&self, id: u64) -> Result<EvidenceRecord, SdkError> {
        self.get(&format!("/evidence/{id}")).await
    }

    /// Evidence record by content hash (`None` when not on chain).
    pub async fn evidence_by_hash(&self, hash: &H256) -> Result<Option<EvidenceRecord>, SdkError> {
        self.get_optional(&format!("/evidence/by-hash/{hash}")).await
    }

    /// A page of a submitter's evidence records (ids after `after`), with the
    /// id to pass as `after` for the next page (`None` at the end).
    pub async fn evidence_by_submitter(
        &self,
        submitter: &Address,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<EvidenceRecord>, Option<u64>), SdkError> {
        #[derive(Deserialize)]
        struct Page {
            records: Vec<EvidenceRecord>,
            next_after: Option<u64>,
        }
        let mut path = format!("/evidence/by-submitter/{submitter}?limit={limit}");
        if let Some(a) = after {
            path.push_str(&format!("&after={a}"));
        }
        let p: Page = self.get(&path).await?;
        Ok((p.records, p.next_after))
    }

    /// Evidence certificate of a record. On a consortium network the block's seal gains its
    /// quorum of validator signatures shortly after the commit; until then the node answers
    /// `not_yet_certified`, and this waits (up to 10 s) for it.
    pub async fn evidence_certificate(&self, id: u64) -> Result<EvidenceCertificate, SdkError> {
        self.certificate(&format!("/evidence/{id}/certificate")).await
    }

    /// GETs a certificate route, retrying for up to 10 s while the node answers
    /// `not_yet_certified` (the block's seal is still collecting signatures).
    async fn certificate<T: DeserializeOwned>(&self, path: &str) -> Result<T, SdkError> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match self.get(path).await {
                Err(SdkError::Api { code, .. })
                    if code == "not_yet_certified" && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                other => return other,
            }
        }
    }

    /// A registered work by id.
    pub async fn copyright_work(&self, id: u64) -> Result<CopyrightWork, SdkError> {
        self.get(&format!("/copyright/works/{id}")).await
    }

    /// The work registered for a content hash (`None` when there is none).
    pub async fn copyright_work_by_hash(&self, hash: &H256) -> Result<Option<CopyrightWork>, SdkError> {
        self.get_optional(&format!("/copyright/works/by-hash/{hash}")).await
    }

    /// The licenses of a work, each with `in_force` at the head block's time.
    pub async fn copyright_licenses(&self, id: u64) -> Result<CopyrightLicenses, SdkError> {
        self.get(&format!("/copyright/works/{id}/licenses")).await
    }

    /// A page of an owner's works (ids after `after`), with the id to pass as `after` for the
    /// next page (`None` at the end).
    pub async fn copyright_by_owner(
        &self,
        owner: &Address,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<CopyrightWork>, Option<u64>), SdkError> {
        #[derive(Deserialize)]
        struct Page {
            works: Vec<CopyrightWork>,
            next_after: Option<u64>,
        }
        let mut path = format!("/copyright/by-owner/{owner}?limit={limit}");
        if let Some(a) = after {
            path.push_str(&format!("&after={a}"));
        }
        let p: Page = self.get(&path).await?;
        Ok((p.works, p.next_after))
    }

    /// Offline-verifiable certificate of a work's current record (waits briefly for a block
    /// with a quorum seal).
    pub async fn copyright_work_certificate(&self, id: u64) -> Result<RecordCertificate, SdkError> {
        self.certificate(&format!("/copyright/works/{id}/certificate")).await
    }

    /// Offline-verifiable certificate of a license.
    pub async fn copyright_license_certificate(&self, id: u64, index: u32) -> Result<RecordCertificate, SdkError> {
        self.certificate(&format!("/copyright/works/{id}/licenses/{index}/certificate")).await
    }

    /// A voucher and its live parts.
    pub async fn voucher(&self, id: u64) -> Result<VoucherWithParts, SdkError> {
        self.get(&format!("/vouchers/{id}")).await
    }

    /// A voucher part.
    pub async fn voucher_part(&self, id: u64) -> Result<VoucherPart, SdkError> {
        self.get(&format!("/vouchers/parts/{id}")).await
    }

    /// A part's lineage: the part, its parent, … back to the part created at issuance.
    pub async fn voucher_lineage(&self, id: u64) -> Result<Vec<VoucherPart>, SdkError> {
        #[derive(Deserialize)]
        struct L {
            lineage: Vec<VoucherPart>,
        }
        Ok(self.get::<L>(&format!("/vouchers/parts/{id}/lineage")).await?.lineage)
    }

    /// A page of a holder's live voucher parts, with the id to continue after.
    pub async fn voucher_parts_of(
        &self,
        holder: &Address,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<VoucherPart>, Option<u64>), SdkError> {
        #[derive(Deserialize)]
        struct Page {
            parts: Vec<VoucherPart>,
            next_after: Option<u64>,
        }
        let mut path = format!("/vouchers/by-holder/{holder}?limit={limit}");
        if let Some(a) = after {
            path.push_str(&format!("&after={a}"));
        }
        let p: Page = self.get(&path).await?;
        Ok((p.parts, p.next_after))
    }

    /// The governance rules in force.
    pub async fn governance(&self) -> Result<GovOverview, SdkError> {
        self.get("/governance").await
    }

    /// Proposals with ids after `after`, in id order; and the id to continue after.
    pub async fn gov_proposals(
        &self,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<hechain_types::Proposal>, Option<u64>), SdkError> {
        #[derive(Deserialize)]
        struct Page {
            proposals: Vec<hechain_types::Proposal>,
            next_after: Option<u64>,
        }
        let mut path = format!("/governance/proposals?limit={limit}");
        if let Some(a) = after {
            path.push_str(&format!("&after={a}"));
        }
        let p: Page = self.get(&path).await?;
        Ok((p.proposals, p.next_after))
    }

    /// A proposal and its votes.
    pub async fn gov_proposal(&self, id: u64) -> Result<ProposalWithVotes, SdkError> {
        self.get(&format!("/governance/proposals/{id}")).await
    }

    /// An account's roles, committee seat and freeze record.
    pub async fn gov_account(&self, addr: &Address) -> Result<GovAccount, SdkError> {
        self.get(&format!("/governance/accounts/{addr}")).await
    }

    /// Offline-verifiable certificate of a voucher part.
    pub async fn voucher_part_certificate(&self, id: u64) -> Result<RecordCertificate, SdkError> {
        self.certificate(&format!("/vouchers/parts/{id}/certificate")).await
    }

    /// Offline-verifiable certificate of a voucher.
    pub async fn voucher_certificate(&self, id: u64) -> Result<RecordCertificate, SdkError> {
        self.certificate(&format!("/vouchers/{id}/certificate")).await
    }

    /// An e-certificate and its status at the head block's time.
    pub async fn ecert(&self, id: u64) -> Result<EcertStatus, SdkError> {
        self.get(&format!("/ecerts/{id}")).await
    }

    /// Whether e-certificate `id` is valid at `at_ms` (default: the head block's time).
    pub async fn ecert_verify(&self, id: u64, at_ms: Option<u64>) -> Result<EcertVerdict, SdkError> {
        let q = at_ms.map(|t| format!("?at={t}")).unwrap_or_default();
        self.get(&format!("/ecerts/{id}/verify{q}")).await
    }

    /// Whether `grantee` holds a grant on `subject` that is live at `at_ms` (default: now).
    pub async fn data_authorization(
        &self,
        subject: Subject,
        grantee: &Address,
        at_ms: Option<u64>,
    ) -> Result<Authorization, SdkError> {
        let at = at_ms.map(|t| format!("&at={t}")).unwrap_or_default();
        self.get(&format!("/{}/authorization?grantee={grantee}{at}", subject_path(&subject))).await
    }

    /// A page of the audit log of `subject`: entries after position `after`, at most `limit`.
    pub async fn data_audit(&self, subject: Subject, after: Option<u64>, limit: usize) -> Result<AuditPage, SdkError> {
        let after = after.map(|a| format!("&after={a}")).unwrap_or_default();
        self.get(&format!("/{}/audit?limit={limit}{after}", subject_path(&subject))).await
    }

    /// A registered dataset.
    pub async fn dataset(&self, id: u64) -> Result<Dataset, SdkError> {
        self.get(&format!("/datasets/{id}")).await
    }

    /// An access grant and whether it is live.
    pub async fn data_grant(&self, id: u64) -> Result<DataGrantStatus, SdkError> {
        self.get(&format!("/data-grants/{id}")).await
    }

    /// Offline-verifiable record certificate of an e-certificate or dataset.
    pub async fn subject_certificate(&self, subject: Subject) -> Result<RecordCertificate, SdkError> {
        self.certificate(&format!("/{}/certificate", subject_path(&subject))).await
    }

    /// Offline-verifiable record certificate of a grant.
    pub async fn data_grant_certificate(&self, id: u64) -> Result<RecordCertificate, SdkError> {
        self.certificate(&format!("/data-grants/{id}/certificate")).await
    }

    /// One page of a per-address list route answering `{<field>: [...], next_after}`.
    async fn address_page<T: DeserializeOwned>(
        &self,
        route: &str,
        field: &str,
        who: &Address,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<T>, Option<u64>), SdkError> {
        let mut path = format!("{route}/{who}?limit={limit}");
        if let Some(a) = after {
            path.push_str(&format!("&after={a}"));
        }
        let mut v: Value = self.get(&path).await?;
        let items = serde_json::from_value(v.get_mut(field).map(Value::take).unwrap_or(Value::Null))
            .map_err(|e| SdkError::Decode(format!("{route} {field}: {e}")))?;
        let next = v.get("next_after").and_then(Value::as_u64);
        Ok((items, next))
    }

    /// An item's full history by its code: batch, recall status, custody chain, events.
    pub async fn trace_item(&self, code: &str) -> Result<TraceHistory, SdkError> {
        self.get(&format!("/trace/items/{}", path_segment(code))).await
    }

    /// A product batch.
    pub async fn trace_batch(&self, id: u64) -> Result<TraceBatch, SdkError> {
        self.get(&format!("/trace/batches/{id}")).await
    }

    /// A page of a batch's items (ids after `after`).
    pub async fn trace_batch_items(
        &self,
        id: u64,
        after: Option<u64>,
        limit: usize,
    ) -> Result<TraceBatchItems, SdkError> {
        let mut path = format!("/trace/batches/{id}/items?limit={limit}");
        if let Some(a) = after {
            path.push_str(&format!("&after={a}"));
        }
        self.get(&path).await
    }

    /// A page of the batches a producer registered.
    pub async fn trace_batches_of(
        &self,
        producer: &Address,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<TraceBatch>, Option<u64>), SdkError> {
        self.address_page("/trace/by-producer", "batches", producer, after, limit).await
    }

    /// A page of the items an account holds now.
    pub async fn trace_items_held(
        &self,
        custodian: &Address,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<TraceItem>, Option<u64>), SdkError> {
        self.address_page("/trace/by-custodian", "items", custodian, after, limit).await
    }

    /// A page of the items offered to an account and not yet answered.
    pub async fn trace_pending(
        &self,
        receiver: &Address,
        after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<TraceItem>, Option<u64>), SdkError> {
        self.address_page("/trace/pending", "items", receiver, after, limit).await
    }

    /// Offline-verifiable certificate of an item with its whole history and its batch.
    pub async fn trace_item_certificate(&self, code: &str) -> Result<RecordCertificate, SdkError> {
        self.certificate(&format!("/trace/items/{}/certificate", path_segment(code))).await
    }

    /// Offline-verifiable certificate of a batch.
    pub async fn trace_batch_certificate(&self, id: u64) -> Result<RecordCertificate, SdkError> {
        self.certificate(&format!("/trace/batches/{id}/certificate")).await
    }

    /// Light clients of other chains on this chain, by id (one page from `after`).
    pub async fn xchain_clients(
        &self,
        after: Option<u64>,
    ) -> Result<hechain_types::crosschain::views::ClientPage, SdkError> {
        let after = after.map(|a| format!("&after={a}")).unwrap_or_default();
        self.get(&format!("/xchain/clients?limit=1000{after}")).await
    }

    /// Cross-chain channels on this chain, by id (one page from `after`).
    pub async fn xchain_channels(
        &self,
        after: Option<u64>,
    ) -> Result<hechain_types::crosschain::views::ChannelPage, SdkError> {
        let after = after.map(|a| format!("&after={a}")).unwrap_or_default();
        self.get(&format!("/xchain/channels?limit=1000{after}")).await
    }

    /// A light client of another chain on this chain (cross-chain).
    pub async fn xchain_client(&self, id: u64) -> Result<hechain_types::crosschain::views::ClientView, SdkError> {
        self.get(&format!("/xchain/clients/{id}")).await
    }

    /// A cross-chain channel.
    pub async fn xchain_channel(&self, id: u64) -> Result<hechain_types::crosschain::views::ChannelView, SdkError> {
        self.get(&format!("/xchain/channels/{id}")).await
    }

    /// Packets sent on a channel and still pending (one page from `after`).
    pub async fn xchain_pending_packets(
        &self,
        channel: u64,
        after: Option<u64>,
    ) -> Result<hechain_types::crosschain::views::PacketPage, SdkError> {
        let after = after.map(|a| format!("&after={a}")).unwrap_or_default();
        self.get(&format!("/xchain/channels/{channel}/packets?limit=1000{after}")).await
    }

    /// A packet of a channel on this chain: pending, its outcome (account ports), received,
    /// waiting in an account port's inbox.
    pub async fn xchain_packet(
        &self,
        channel: u64,
        sequence: u64,
    ) -> Result<hechain_types::crosschain::views::PacketStatus, SdkError> {
        self.get(&format!("/xchain/channels/{channel}/packets/{sequence}")).await
    }

    /// An account's balance of a cross-chain voucher, and its supply.
    pub async fn xchain_voucher(
        &self,
        holder: &Address,
        denom: &str,
    ) -> Result<hechain_types::crosschain::views::VoucherBalance, SdkError> {
        let denom = hechain_types::display::url_component(denom);
        self.get(&format!("/xchain/vouchers/{holder}?denom={denom}")).await
    }

    /// A record of another chain recognised here.
    pub async fn xchain_recognition(&self, id: u64) -> Result<hechain_types::crosschain::Recognition, SdkError> {
        self.get(&format!("/xchain/recognitions/{id}")).await
    }

    /// An external event accepted here on its notaries' word, if it was.
    pub async fn xchain_attestation(
        &self,
        network: &str,
        event_id: &str,
    ) -> Result<Option<hechain_types::crosschain::notary::Attestation>, SdkError> {
        let (n, e) = (hechain_types::display::url_component(network), hechain_types::display::url_component(event_id));
        self.get_optional(&format!("/xchain/notary/{n}/events/{e}")).await
    }

    /// A hash time-locked contract.
    pub async fn htlc(&self, id: u64) -> Result<hechain_types::htlc::Htlc, SdkError> {
        self.get(&format!("/htlc/{id}")).await
    }

    /// The hash time-locked contracts under a hash lock (the other side of a swap).
    pub async fn htlc_by_hash(&self, hash_lock: &H256) -> Result<Vec<hechain_types::htlc::Htlc>, SdkError> {
        #[derive(Deserialize)]
        struct Page {
            locks: Vec<hechain_types::htlc::Htlc>,
        }
        Ok(self.get::<Page>(&format!("/htlc/by-hash/{hash_lock}")).await?.locks)
    }

    /// Builds, signs and submits a transaction from `key` with the next
    /// pending nonce, then waits for its receipt. Fails if the transaction
    /// was committed but did not succeed.
    pub async fn send_and_wait(
        &self,
        key: &AccountKey,
        payload: Payload,
        timeout: Duration,
    ) -> Result<(H256, ReceiptInfo), SdkError> {
        let tx = self.sign(key, payload).await?;
        let hash = self.submit(&tx).await?;
        let r = self.wait_receipt(&hash, timeout).await?;
        if let TxStatus::Failed { reason } = &r.receipt.status {
            return Err(SdkError::Api { status: 200, code: "tx_failed".into(), message: reason.clone() });
        }
        Ok((hash, r))
    }

    /// Signs `payload` for `key` with the chain id and the account's pending nonce.
    pub async fn sign(&self, key: &AccountKey, payload: Payload) -> Result<SignedTransaction, SdkError> {
        let status = self.status().await?;
        let sender = Address(key.address());
        let acc = self.account(&sender).await?;
        Transaction { chain_id: status.chain_id, nonce: acc.pending_nonce, sender, fee: status.min_fee, payload }
            .sign(key)
            .map_err(|e| SdkError::Local(e.to_string()))
    }

    /// Convenience: an evidence submission payload.
    pub fn evidence_payload(content_hash: H256, meta: EvidenceMeta) -> Payload {
        Payload::Evidence(hechain_types::EvidenceCall::Put { content_hash, meta })
    }
}

/// The HTTP client of [`Client`] and [`eth::EthClient`] (60 s timeout).
pub(crate) fn http_client() -> Result<reqwest::Client, SdkError> {
    reqwest::Client::builder().timeout(Duration::from_secs(60)).build().map_err(|e| SdkError::Local(e.to_string()))
}

/// Appends one transaction to a binary batch body (u32 LE length + canonical bytes).
pub fn frame(out: &mut Vec<u8>, tx: &SignedTransaction) {
    let bytes = tx.encode();
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&bytes);
}

/// REST path of a certificate or dataset (`ecerts/1`, `datasets/2`).
fn subject_path(subject: &Subject) -> String {
    match subject {
        Subject::Certificate(id) => format!("ecerts/{id}"),
        Subject::Dataset(id) => format!("datasets/{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::path_segment;

    #[test]
    fn path_segments_keep_only_unreserved_bytes() {
        assert_eq!(path_segment("QR-1_a.b~c"), "QR-1_a.b~c");
        assert_eq!(path_segment("01/0950/21/A 1"), "01%2F0950%2F21%2FA%201");
        assert_eq!(path_segment("番?#%"), "%E7%95%AA%3F%23%25");
    }
}
