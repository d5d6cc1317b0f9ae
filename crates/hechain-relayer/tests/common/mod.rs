#![allow(dead_code)] // shared by several test files, each using a part
//! An in-process hechain chain of four validators (real store, real execution, real seals) that
//! the relayer reaches through [`ChainIo`], as it reaches a node through its REST API.

use std::cell::{Cell, RefCell};

use hechain_chain::{smt::Proof, BlockHeader, Genesis, Seal};
use hechain_crosschain::views::{AckEntry, ChannelView, ClientView};
use hechain_crosschain::{channel, client, packet, transfer, CrosschainCall, CrosschainEvent, Packet};
use hechain_crypto::{NodeKey, Suite};
use hechain_governance::{exec as gov, Action, Membership};
use hechain_primitives::Codec;
use hechain_relayer::{ChainIo, RelayError, Submitted};
use hechain_testkit::exec::{commit_block_sealed, consortium, env, org_node, tx, with_genesis, Env};
use hechain_types::{Address, ChainTx, Event, GovernanceCall, Payload, TxStatus, ValidatorInfo, ValidatorSignature};

/// Account 3 relays; accounts 0..2 form the governance committee; 1 and 2 are users.
pub const RELAYER: usize = 3;

pub struct LocalChain {
    pub name: String,
    pub e: Env,
    /// Every node key, by name (`v0`..`v4`; `v4` joins only by governance).
    pub nodes: Vec<(String, NodeKey)>,
    nonces: RefCell<[u64; 4]>,
    /// Block time step (ms).
    pub step_ms: Cell<u64>,
}

impl LocalChain {
    /// A chain on `suite` with chain id `chain_id`; `seed` makes its node keys its own.
    pub fn new(name: &str, suite: Suite, chain_id: u64, seed: u8) -> LocalChain {
        let nodes: Vec<(String, NodeKey)> =
            (0..5u8).map(|i| (format!("v{i}"), NodeKey::from_bytes(suite, &[seed + i; 32]).unwrap())).collect();
        let e = env(suite, 0);
        let committee: Vec<Address> = (0..3).map(|i| Address(e.keys[i].address())).collect();
        let set: Vec<ValidatorInfo> = nodes[..4].iter().map(|(n, k)| org_node(n, k)).collect();
        let e = with_genesis(e, |g| {
            g.chain_id = chain_id;
            // Enough for the gas of contract calls as well.
            g.accounts.iter_mut().for_each(|a| a.balance = 10u128.pow(24));
            consortium(g, set, &committee);
        });
        LocalChain { name: name.into(), e, nodes, nonces: RefCell::new([0; 4]), step_ms: Cell::new(1_000) }
    }

    pub fn suite(&self) -> Suite {
        self.e.genesis.suite()
    }

    pub fn address(&self, i: usize) -> Address {
        Address(self.e.keys[i].address())
    }

    pub fn node(&self, name: &str) -> &NodeKey {
        &self.nodes.iter().find(|(n, _)| n == name).expect("known node").1
    }

    pub fn reader(&self) -> hechain_storage::StoreReader {
        self.e.store.reader().unwrap()
    }

    /// A signed transaction of account `from` with its next nonce.
    pub fn tx(&self, from: usize, payload: Payload) -> ChainTx {
        let mut n = self.nonces.borrow_mut();
        let nonce = n[from];
        n[from] += 1;
        tx(&self.e, from, nonce, 0, payload).into()
    }

    /// A signed Ethereum transaction of account `from` with its next nonce: a contract creation
    /// (`to: None`) or a call.
    pub fn eth(&self, from: usize, to: Option<Address>, input: Vec<u8>) -> ChainTx {
        use alloy_primitives::{TxKind, U256};
        let mut n = self.nonces.borrow_mut();
        let nonce = n[from];
        n[from] += 1;
        let tx = alloy_consensus::TxEip1559 {
            chain_id: self.e.genesis.chain_id,
            nonce,
            gas_limit: 3_000_000,
            max_fee_per_gas: u128::from(self.e.genesis.params.base_fee_per_gas),
            max_priority_fee_per_gas: 0,
            to: to.map_or(TxKind::Create, |a| TxKind::Call(a.0.into())),
            value: U256::ZERO,
            access_list: Default::default(),
            input: input.into(),
        };
        ChainTx::Ethereum(hechain_types::EthTransaction::sign(tx, &self.e.keys[from]).unwrap())
    }

    /// Deploys the contract of artifact `contracts/artifacts/<name>.json` from `from`; its
    /// address.
    pub fn deploy(&self, from: usize, name: &str) -> Address {
        let path = format!("{}/../../contracts/artifacts/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let artifact: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let code = hex::decode(artifact["bytecode"].as_str().unwrap().trim_start_matches("0x")).unwrap();
        let nonce = self.nonces.borrow()[from];
        let address = alloy_primitives::Address::from(self.address(from).0).create(nonce);
        let (status, _) = self.commit(vec![self.eth(from, None, code)]).remove(0);
        assert_eq!(status, TxStatus::Success, "{}: deploying {name}", self.name);
        Address(address.into_array())
    }

    /// Calls contract `to` from `from` in a block of its own: the outcome.
    pub fn call(&self, from: usize, to: Address, input: Vec<u8>) -> Result<Vec<Event>, String> {
        match self.commit(vec![self.eth(from, Some(to), input)]).remove(0) {
            (TxStatus::Success, events) => Ok(events),
            (TxStatus::Failed { reason }, _) => Err(reason),
        }
    }

    /// The answer of a read-only call of contract `to`, on the latest block.
    pub fn view(&self, to: Address, input: Vec<u8>) -> Vec<u8> {
        let req = hechain_execution::evm::CallRequest { to: Some(to), data: input, ..Default::default() };
        let out = hechain_testkit::exec::simulate(
            &self.e.store,
            &self.e.genesis,
            &req,
            &hechain_execution::evm::Budget::default(),
        );
        assert_eq!(out.status, hechain_execution::evm::CallStatus::Success, "{}: view of {to}", self.name);
        out.output
    }

    /// Seals `header` with the validators of the set in force at `indexes`.
    pub fn seal(&self, set: &[ValidatorInfo], indexes: &[u32], msg: &[u8]) -> Seal {
        Seal {
            signatures: indexes
                .iter()
                .map(|&i| ValidatorSignature {
                    validator: i,
                    signature: self.node(&set[i as usize].name).sign(msg).0.to_vec(),
                })
                .collect(),
        }
    }

    /// Commits a block of `txs`, sealed by a quorum (the first validators) of the set in force;
    /// the receipts' outcomes.
    pub fn commit(&self, txs: Vec<ChainTx>) -> Vec<(TxStatus, Vec<Event>)> {
        let set = gov::membership(&self.reader()).unwrap().validators;
        let signers: Vec<u32> = (0..hechain_chain::quorum(set.len()) as u32).collect();
        let (out, _) = commit_block_sealed(&self.e.store, &self.e.genesis, txs, self.step_ms.get(), |msg| {
            self.seal(&set, &signers, msg)
        });
        out.receipts.into_iter().map(|r| (r.status, r.events)).collect()
    }

    /// Commits `payload` from `from` and expects success.
    pub fn run(&self, from: usize, payload: Payload) -> Vec<Event> {
        let mut r = self.commit(vec![self.tx(from, payload)]);
        let (status, events) = r.pop().unwrap();
        assert_eq!(status, TxStatus::Success, "{}: {events:?}", self.name);
        events
    }

    /// Commits `payload` from `from` and expects a refusal; its reason.
    pub fn refused(&self, from: usize, payload: Payload) -> String {
        match self.commit(vec![self.tx(from, payload)]).pop().unwrap().0 {
            TxStatus::Failed { reason } => reason,
            TxStatus::Success => panic!("{}: the call was accepted", self.name),
        }
    }

    /// Empty blocks.
    pub fn advance(&self, blocks: u64) {
        for _ in 0..blocks {
            self.commit(vec![]);
        }
    }

    pub fn head_height(&self) -> u64 {
        self.reader().head_height().unwrap()
    }

    pub fn balance(&self, who: &Address) -> u128 {
        hechain_execution::account_of(&self.reader(), who).unwrap().balance
    }

    pub fn escrow(&self, channel: u64) -> u128 {
        self.balance(&transfer::escrow_address(self.suite(), channel))
    }

    pub fn voucher(&self, who: &Address, denom: &str) -> u128 {
        transfer::voucher_balance(&self.reader(), who, denom).unwrap()
    }

    pub fn supply(&self, denom: &str) -> u128 {
        transfer::supply(&self.reader(), denom).unwrap()
    }

    /// Changes the validator set by governance (committee members 0 and 1 approve).
    pub fn change_validators(&self, action: Action) {
        self.govern(action).unwrap_or_else(|r| panic!("{r}"));
    }

    /// Proposes `action` (member 0) and approves it (member 1) in one block; the refusal of the
    /// proposal, if any.
    pub fn govern(&self, action: Action) -> Result<(), String> {
        let id = gov::next_proposal_id(&self.reader()).unwrap();
        let p = self.tx(0, Payload::Governance(GovernanceCall::Propose { action, description: "membership".into() }));
        let v = self.tx(1, Payload::Governance(GovernanceCall::Vote { proposal: id, approve: true }));
        match self.commit(vec![p, v]).remove(0).0 {
            TxStatus::Success => Ok(()),
            TxStatus::Failed { reason } => Err(reason),
        }
    }

    pub fn add_v4(&self) {
        self.change_validators(Action::AddValidator { node: org_node("v4", self.node("v4")) });
    }
}

fn xc_events(events: Vec<Event>) -> Vec<CrosschainEvent> {
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::Crosschain(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn missing(what: String) -> RelayError {
    RelayError::Chain { chain: "local".into(), message: what }
}

impl ChainIo for LocalChain {
    fn name(&self) -> String {
        self.name.clone()
    }

    async fn genesis(&self) -> Result<Genesis, RelayError> {
        Ok(self.e.genesis.clone())
    }

    async fn head(&self) -> Result<u64, RelayError> {
        Ok(self.head_height())
    }

    async fn sealed(&self, height: u64) -> Result<(BlockHeader, Seal), RelayError> {
        let r = self.reader();
        let header = r.header(height).unwrap().ok_or_else(|| missing(format!("no block {height}")))?;
        Ok((header, r.seal(height).unwrap()))
    }

    async fn proof(&self, key: &[u8], height: u64) -> Result<Proof, RelayError> {
        let r = self.reader();
        let header = r.header(height).unwrap().ok_or_else(|| missing(format!("no block {height}")))?;
        Ok(r.state_proof(self.suite(), &header.state_root, key).unwrap())
    }

    async fn proofs(&self, keys: &[Vec<u8>], height: u64) -> Result<Vec<Proof>, RelayError> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.proof(k, height).await?);
        }
        Ok(out)
    }

    async fn value(&self, key: &[u8]) -> Result<Option<Vec<u8>>, RelayError> {
        Ok(self.reader().state_get(key).unwrap())
    }

    async fn memberships(&self) -> Result<Vec<Membership>, RelayError> {
        let r = self.reader();
        Ok((0..).map_while(|n| gov::epoch_membership(&r, n).unwrap()).collect())
    }

    async fn client(&self, id: u64) -> Result<ClientView, RelayError> {
        let r = self.reader();
        let c = client::client(&r, id).unwrap().ok_or_else(|| missing(format!("no client {id}")))?;
        let epoch = client::epoch(&r, id, c.epoch).unwrap().unwrap();
        let latest = client::consensus(&r, id, c.latest_height).unwrap();
        Ok(ClientView { client: c, epoch, latest })
    }

    async fn channel(&self, id: u64) -> Result<ChannelView, RelayError> {
        let r = self.reader();
        let c = channel::channel(&r, id).unwrap().ok_or_else(|| missing(format!("no channel {id}")))?;
        Ok(ChannelView {
            next_recv: packet::next_recv(&r, id).unwrap(),
            escrow: transfer::escrow_address(self.suite(), id),
            channel: c,
        })
    }

    async fn pending(&self, channel: u64) -> Result<Vec<Packet>, RelayError> {
        let r = self.reader();
        let next = channel::channel(&r, channel).unwrap().map_or(1, |c| c.next_send);
        Ok((1..next).filter_map(|s| packet::commitment(&r, channel, s).unwrap()).collect())
    }

    async fn acks(&self, channel: u64, after: u64) -> Result<Vec<AckEntry>, RelayError> {
        use hechain_module::exec::StateScan;
        let r = self.reader();
        let prefix = [hechain_crosschain::keys::ACK_PREFIX, &channel.to_be_bytes()].concat();
        let from = [prefix.as_slice(), &after.to_be_bytes()].concat();
        Ok(r.scan(&prefix, Some(&from), usize::MAX)
            .unwrap()
            .into_iter()
            .map(|(k, v)| AckEntry {
                sequence: hechain_module::keys::trailing_id(&k).unwrap(),
                ack: hechain_crosschain::Ack::decode(&v).unwrap(),
            })
            .collect())
    }

    async fn submit(&self, calls: Vec<CrosschainCall>) -> Result<Vec<Submitted>, RelayError> {
        let txs = calls.into_iter().map(|c| self.tx(RELAYER, Payload::Crosschain(c))).collect();
        Ok(self
            .commit(txs)
            .into_iter()
            .map(|(status, events)| match status {
                TxStatus::Success => Ok(xc_events(events)),
                TxStatus::Failed { reason } => Err(reason),
            })
            .collect())
    }
}
