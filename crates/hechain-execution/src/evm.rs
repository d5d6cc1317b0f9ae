//! Ethereum transactions on the EVM (revm, Prague rules) over hechain state.
//!
//! State mapping (see [`crate::keys`]): an Ethereum account is the native account
//! (`acct/` ‖ address: nonce and balance), a contract's code is `evm/code/` ‖ address
//! (keccak256 ‖ code), and each non-zero storage slot is `evm/slot/` ‖ address ‖ slot.
//! All of it is in the authenticated state tree, so contract storage has proofs too.
//!
//! Rules beyond Ethereum's:
//! - gas is priced at the chain's constant base fee (burned); tips go to `fee_recipient`;
//! - the block gas limit bounds the sum of *declared* gas limits (the proposer cannot know gas
//!   use before execution); a transaction that would pass it fails without being charged;
//! - contract-creation transactions follow the chain's deploy policy;
//! - an Ethereum transaction that Ethereum would refuse outright (nonce mismatch, balance below
//!   `gasLimit × maxFee + value`, …) gets a failed receipt and changes nothing, its nonce included.

use std::cell::RefCell;
use std::collections::BTreeMap;

use hechain_crypto::Suite;
use hechain_types::{Account, Address, ChainParams, EthTransaction, EvmOutcome, Log, Receipt, TxStatus, H256};
use revm::bytecode::Bytecode;
use revm::context::result::{EVMError, ExecutionResult, HaltReason, Output, ResultAndState};
use revm::context::{BlockEnv, CfgEnv, Context, Evm, TxEnv};
use revm::context_interface::block::BlobExcessGasAndPrice;
use revm::context_interface::either::Either;
use revm::database_interface::{DBErrorMarker, DatabaseRef, WrapDatabaseRef};
use revm::handler::instructions::EthInstructions;
use revm::handler::EthFrame;
use revm::interpreter::interpreter::EthInterpreter;
use revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address as EvmAddress, TxKind, B256, KECCAK_EMPTY, U256};
use revm::state::{AccountInfo, EvmState};
use revm::{ExecuteEvm, InspectEvm, MainBuilder, MainContext};

use crate::precompile::{self, ChainPrecompiles};
use crate::state::{Overlay, StateRead};
use crate::{accounts, keys, BlockContext, ExecError};

/// The EVM hardfork hechain runs.
pub const SPEC: SpecId = SpecId::PRAGUE;

impl DBErrorMarker for ExecError {}

/// The EVM's view of state: reads through a block overlay; analysed code is cached by hash.
pub struct EvmDb<'o, 'a, R: StateRead + ?Sized> {
    overlay: &'o Overlay<'a, R>,
    suite: Suite,
    codes: &'o RefCell<BTreeMap<B256, Bytecode>>,
}

fn evm_addr(a: &Address) -> EvmAddress {
    EvmAddress::from(a.0)
}

fn our_addr(a: &EvmAddress) -> Address {
    Address(a.into_array())
}

impl<R: StateRead + ?Sized> EvmDb<'_, '_, R> {
    /// The code of `addr` (hash and analysed bytecode), if it is a contract.
    fn code(&self, addr: &Address) -> Result<Option<(B256, Bytecode)>, ExecError> {
        let key = keys::evm_code(addr);
        let Some(v) = self.overlay.get(&key)? else { return Ok(None) };
        if v.len() < 32 {
            return Err(ExecError::Corrupt {
                key: crate::hex_key(&key),
                reason: "code entry shorter than its hash".into(),
            });
        }
        let hash = B256::from_slice(&v[..32]);
        let mut cache = self.codes.borrow_mut();
        let code = cache.entry(hash).or_insert_with(|| Bytecode::new_raw(v[32..].to_vec().into())).clone();
        Ok(Some((hash, code)))
    }
}

impl<R: StateRead + ?Sized> DatabaseRef for EvmDb<'_, '_, R> {
    type Error = ExecError;

    fn basic_ref(&self, address: EvmAddress) -> Result<Option<AccountInfo>, ExecError> {
        let a = our_addr(&address);
        let acc: Option<Account> = crate::read(self.overlay, &keys::account(&a))?;
        let code = self.code(&a)?;
        if acc.is_none() && code.is_none() {
            return Ok(None);
        }
        let acc = acc.unwrap_or_default();
        let (hash, code) = code.unwrap_or((KECCAK_EMPTY, Bytecode::default()));
        Ok(Some(AccountInfo::new(U256::from(acc.balance), acc.nonce, hash, code)))
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, ExecError> {
        // basic_ref always hands out the code, so revm only asks for code it was given.
        self.codes.borrow().get(&code_hash).cloned().ok_or_else(|| ExecError::Corrupt {
            key: code_hash.to_string(),
            reason: "code requested by hash was never loaded".into(),
        })
    }

    fn storage_ref(&self, address: EvmAddress, index: U256) -> Result<U256, ExecError> {
        let key = keys::evm_slot(&our_addr(&address), &index.to_be_bytes::<32>());
        match self.overlay.get(&key)? {
            Some(v) if v.len() == 32 => Ok(U256::from_be_slice(&v)),
            Some(_) => {
                Err(ExecError::Corrupt { key: crate::hex_key(&key), reason: "slot value is not 32 bytes".into() })
            }
            None => Ok(U256::ZERO),
        }
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, ExecError> {
        Ok(self.overlay.base().header(number)?.map(|h| B256::from(h.hash(self.suite).0)).unwrap_or_default())
    }
}

/// Native state as the precompiles read it.
impl<R: StateRead + ?Sized> hechain_module::exec::StateView for EvmDb<'_, '_, R> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, hechain_module::exec::StateError> {
        hechain_module::exec::StateView::get(self.overlay, key)
    }
}

impl<R: StateRead + ?Sized> StateRead for EvmDb<'_, '_, R> {
    fn header(&self, height: u64) -> Result<Option<hechain_types::BlockHeader>, ExecError> {
        self.overlay.base().header(height)
    }
}

type EvmCtx<'d, D> = Context<BlockEnv, TxEnv, CfgEnv, WrapDatabaseRef<&'d D>>;
type ChainEvm<'d, D> = InspectedEvm<'d, D, ()>;
type InspectedEvm<'d, D, I> =
    Evm<EvmCtx<'d, D>, I, EthInstructions<EthInterpreter, EvmCtx<'d, D>>, ChainPrecompiles, EthFrame<EthInterpreter>>;

/// The EVM environment of one block.
#[derive(Clone)]
pub struct EvmEnv {
    cfg: CfgEnv,
    block: BlockEnv,
    ctx: BlockContext,
    /// Whether any account is frozen by governance (then every call frame checks its target).
    any_frozen: bool,
}

impl EvmEnv {
    /// The environment of the block described by `ctx`.
    pub fn new(ctx: BlockContext, chain_id: u64, params: &ChainParams) -> Self {
        let mut cfg = CfgEnv::new_with_spec(SPEC);
        cfg.chain_id = chain_id;
        cfg.limit_contract_code_size = Some(params.max_code_size as usize);
        let block = BlockEnv {
            number: U256::from(ctx.height),
            timestamp: U256::from(ctx.timestamp_ms / 1000),
            basefee: params.base_fee_per_gas,
            gas_limit: params.block_gas_limit,
            beneficiary: evm_addr(&params.fee_recipient),
            difficulty: U256::ZERO,
            prevrandao: Some(B256::from(ctx.parent_hash.0)),
            blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new(0, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE)),
            ..Default::default()
        };
        Self { cfg, block, ctx, any_frozen: false }
    }

    fn build<'d, D>(&self, db: &'d D) -> ChainEvm<'d, D>
    where
        D: DatabaseRef<Error = ExecError> + StateRead,
    {
        self.build_with(db, ())
    }

    /// [`Self::build`] with an inspector (a simulated call's [`Watchdog`]).
    fn build_with<'d, D, I>(&self, db: &'d D, inspector: I) -> InspectedEvm<'d, D, I>
    where
        D: DatabaseRef<Error = ExecError> + StateRead,
    {
        Context::mainnet()
            .with_cfg(self.cfg.clone())
            .with_block(self.block.clone())
            .with_ref_db(db)
            .build_mainnet_with_inspector(inspector)
            .with_precompiles(ChainPrecompiles::new(SPEC, self.ctx, self.any_frozen))
    }
}

/// Executes the Ethereum transactions of one block, in order.
pub struct BlockEvm {
    env: EvmEnv,
    ctx: BlockContext,
    chain_id: u64,
    params: ChainParams,
    policy: crate::governance::Policy,
    codes: RefCell<BTreeMap<B256, Bytecode>>,
    gas_declared: u64,
}

/// The revm `TxEnv` of an Ethereum transaction.
pub fn tx_env(tx: &EthTransaction) -> TxEnv {
    use alloy_consensus::Transaction as _;
    use alloy_eips::Typed2718 as _;
    let e = tx.envelope();
    TxEnv {
        tx_type: e.ty(),
        caller: evm_addr(&tx.sender()),
        gas_limit: e.gas_limit(),
        gas_price: e.max_fee_per_gas(),
        kind: e.kind(),
        value: e.value(),
        data: e.input().clone(),
        nonce: e.nonce(),
        chain_id: e.chain_id(),
        access_list: e.access_list().cloned().unwrap_or_default(),
        gas_priority_fee: e.max_priority_fee_per_gas(),
        blob_hashes: Vec::new(),
        max_fee_per_blob_gas: 0,
        authorization_list: e
            .authorization_list()
            .map(|l| l.iter().cloned().map(Either::Left).collect())
            .unwrap_or_default(),
    }
}

fn failed_receipt(tx_hash: H256, reason: String) -> Receipt {
    Receipt {
        tx_hash,
        status: TxStatus::Failed { reason },
        fee_charged: 0,
        events: vec![],
        evm: Some(EvmOutcome::default()),
    }
}

/// A human reason for an EVM halt, in the words Ethereum clients use.
pub fn halt_message(reason: &HaltReason) -> String {
    match reason {
        HaltReason::OutOfGas(_) => "out of gas".into(),
        HaltReason::OpcodeNotFound | HaltReason::InvalidFEOpcode => "invalid opcode".into(),
        HaltReason::InvalidJump => "invalid jump destination".into(),
        HaltReason::StackUnderflow => "stack underflow".into(),
        HaltReason::StackOverflow => "stack limit reached".into(),
        HaltReason::CreateContractSizeLimit => "max code size exceeded".into(),
        HaltReason::CreateInitCodeSizeLimit => "max initcode size exceeded".into(),
        HaltReason::CreateCollision => "contract address collision".into(),
        HaltReason::OutOfFunds => "insufficient funds for transfer".into(),
        HaltReason::StateChangeDuringStaticCall => "write protection".into(),
        HaltReason::CallTooDeep => "max call depth exceeded".into(),
        other => format!("{other:?}"),
    }
}

/// `execution reverted` plus the decoded `Error(string)` / `Panic(uint)` reason, if any.
pub fn revert_message(output: &[u8]) -> String {
    use alloy_sol_types::{Panic, Revert, SolError};
    if let Ok(r) = Revert::abi_decode(output) {
        format!("execution reverted: {}", r.reason)
    } else if let Ok(p) = Panic::abi_decode(output) {
        format!("execution reverted: {p}")
    } else {
        "execution reverted".into()
    }
}

/// Writes the state changes of one transaction into the block overlay. The map is unordered,
/// but every account writes only its own keys, so the result does not depend on the order.
fn write_back<R: StateRead + ?Sized>(o: &mut Overlay<'_, R>, state: EvmState) -> Result<(), ExecError> {
    for (address, acc) in state {
        if !acc.is_touched() {
            continue;
        }
        let a = our_addr(&address);
        if acc.is_selfdestructed() {
            o.delete(keys::account(&a));
            o.delete(keys::evm_code(&a));
            for slot in acc.storage.keys() {
                o.delete(keys::evm_slot(&a, &slot.to_be_bytes::<32>()));
            }
            continue;
        }
        if acc.is_empty() {
            o.delete(keys::account(&a));
            continue;
        }
        let balance = u128::try_from(acc.info.balance)
            .map_err(|_| ExecError::Invalid(format!("balance of {a} exceeds the native range")))?;
        accounts::store(o, &a, &Account { nonce: acc.info.nonce, balance });
        if acc.is_created() {
            if let Some(code) = acc.info.code.as_ref().filter(|c| !c.is_empty()) {
                let mut v = acc.info.code_hash.to_vec();
                v.extend_from_slice(code.original_byte_slice());
                o.put(keys::evm_code(&a), v);
            }
        }
        for (slot, value) in acc.storage.iter().filter(|(_, s)| s.is_changed()) {
            let key = keys::evm_slot(&a, &slot.to_be_bytes::<32>());
            if value.present_value.is_zero() {
                o.delete(key);
            } else {
                o.put(key, value.present_value.to_be_bytes::<32>().to_vec());
            }
        }
    }
    Ok(())
}

fn convert_logs(logs: &[revm::primitives::Log]) -> Vec<Log> {
    logs.iter()
        .map(|l| Log {
            address: our_addr(&l.address),
            topics: l.topics().iter().map(|t| H256(t.0)).collect(),
            data: l.data.data.to_vec(),
        })
        .collect()
}

impl BlockEvm {
    /// The EVM of the block described by `ctx`.
    pub fn new(ctx: BlockContext, chain_id: u64, policy: &crate::governance::Policy) -> Self {
        let params = &policy.params;
        let mut env = EvmEnv::new(ctx, chain_id, params);
        env.any_frozen = policy.any_frozen();
        Self {
            env,
            ctx,
            chain_id,
            params: params.clone(),
            policy: policy.clone(),
            codes: RefCell::new(BTreeMap::new()),
            gas_declared: 0,
        }
    }

    /// Counts a native transaction against the block gas limit.
    pub fn note_native(&mut self) {
        self.gas_declared = self.gas_declared.saturating_add(hechain_types::NATIVE_TX_GAS);
    }

    /// Applies one Ethereum transaction (signature already verified).
    pub fn apply<R: StateRead + ?Sized>(
        &mut self,
        o: &mut Overlay<'_, R>,
        tx: &EthTransaction,
        tx_hash: H256,
    ) -> Result<Receipt, ExecError> {
        if tx.chain_id() != Some(self.chain_id) {
            return Ok(failed_receipt(
                tx_hash,
                format!("invalid chain id {:?} (this chain is {})", tx.chain_id(), self.chain_id),
            ));
        }
        let gas = tx.gas_limit();
        if gas > self.params.max_tx_gas {
            return Ok(failed_receipt(
                tx_hash,
                format!("exceeds block gas limit: gas {gas}, the per-transaction limit is {}", self.params.max_tx_gas),
            ));
        }
        let declared = self.gas_declared.saturating_add(gas);
        if declared > self.params.block_gas_limit {
            return Ok(failed_receipt(
                tx_hash,
                format!("block gas limit {} reached: resubmit for a later block", self.params.block_gas_limit),
            ));
        }
        if let Err(reason) = self.policy.check_eth(&*o, &tx.sender(), tx.to().as_ref(), tx.value())? {
            return Ok(failed_receipt(tx_hash, reason));
        }
        self.gas_declared = declared;
        let db = EvmDb { overlay: &*o, suite: self.ctx.suite, codes: &self.codes };
        let ResultAndState { result, state } = match self.env.build(&db).transact(tx_env(tx)) {
            Ok(r) => r,
            Err(EVMError::Transaction(e)) => return Ok(failed_receipt(tx_hash, format!("invalid transaction: {e}"))),
            Err(EVMError::Database(e)) => return Err(e),
            Err(other) => return Err(ExecError::Invalid(format!("EVM failure: {other}"))),
        };
        let (result, state, refused) = self.check_deployments(&db, tx, tx_hash, result, state)?;
        // Fees and the nonce are in the state for reverts and halts too.
        write_back(o, state)?;
        let price = tx.effective_gas_price(self.params.base_fee_per_gas);
        let gas_used = result.tx_gas_used();
        let fee = u64::try_from((gas_used as u128).saturating_mul(price)).unwrap_or(u64::MAX);
        let mut outcome = EvmOutcome { gas_used, effective_gas_price: price, ..EvmOutcome::default() };
        let (status, events) = match result {
            ExecutionResult::Success { logs, output, .. } => {
                let events = precompile::apply_module_logs(o, self.ctx, &logs, tx_hash)?;
                outcome.logs = convert_logs(&logs);
                match output {
                    Output::Call(b) => outcome.output = b.to_vec(),
                    Output::Create(b, addr) => {
                        outcome.output = b.to_vec();
                        outcome.contract_address = addr.as_ref().map(our_addr);
                    }
                }
                (TxStatus::Success, events)
            }
            ExecutionResult::Revert { output, .. } => {
                let reason = match refused {
                    Some(why) if output.is_empty() => why,
                    _ => revert_message(&output),
                };
                outcome.output = output.to_vec();
                (TxStatus::Failed { reason }, vec![])
            }
            ExecutionResult::Halt { reason, .. } => (TxStatus::Failed { reason: halt_message(&reason) }, vec![]),
        };
        Ok(Receipt { tx_hash, status, fee_charged: fee, events, evm: Some(outcome) })
    }

    /// Applies the contract checks ([`crate::deploy_check`]) to the contracts a successful
    /// transaction created: logs the findings (`warn`), or runs the transaction again with the
    /// hazardous creations reverted (`refuse`); then also returns why they were refused.
    #[allow(clippy::type_complexity)]
    fn check_deployments<R: StateRead + ?Sized>(
        &self,
        db: &EvmDb<'_, '_, R>,
        tx: &EthTransaction,
        tx_hash: H256,
        result: ExecutionResult,
        state: EvmState,
    ) -> Result<(ExecutionResult, EvmState, Option<String>), ExecError> {
        use hechain_types::governance::ContractChecks;
        let mode = self.policy.contract_checks;
        if mode == ContractChecks::Off || !result.is_success() {
            return Ok((result, state, None));
        }
        let found = crate::deploy_check::created_findings(&state);
        if found.is_empty() {
            return Ok((result, state, None));
        }
        for (addr, findings) in &found {
            let list = crate::deploy_check::summary(findings);
            tracing::warn!(contract = %our_addr(addr), tx = %tx_hash, mode = %mode, findings = %list, "contract checks found hazards in a deployed contract");
        }
        if mode == ContractChecks::Warn {
            return Ok((result, state, None));
        }
        let gate = crate::deploy_check::DeployGate::new(self.params.max_code_size as usize);
        let mut evm = self.env.build_with(db, gate);
        let again = match evm.inspect_tx(tx_env(tx)) {
            Ok(r) => r,
            Err(EVMError::Database(e)) => return Err(e),
            Err(other) => return Err(ExecError::Invalid(format!("EVM failure on the contract-check re-run: {other}"))),
        };
        let why = evm.inspector.refused.first().map(|(addr, findings)| {
            format!(
                "refused by the contract checks (governance mode refuse): the contract {} shows {}",
                our_addr(addr),
                crate::deploy_check::summary(findings)
            )
        });
        Ok((again.result, again.state, why))
    }
}

/// A call simulated on the latest state (`eth_call`, `eth_estimateGas`).
#[derive(Clone, Debug, Default)]
pub struct CallRequest {
    /// Caller (zero address when absent).
    pub from: Option<Address>,
    /// Callee; `None` simulates a contract creation.
    pub to: Option<Address>,
    /// Gas limit (the chain's per-transaction limit when absent).
    pub gas: Option<u64>,
    /// Gas price; absent or zero means no fee is charged.
    pub gas_price: Option<u128>,
    /// Value sent.
    pub value: u128,
    /// Call data or init code.
    pub data: Vec<u8>,
}

/// What a simulated call did.
#[derive(Clone, Debug)]
pub struct CallOutcome {
    /// Success, revert or halt.
    pub status: CallStatus,
    /// Gas used.
    pub gas_used: u64,
    /// Return data or revert data.
    pub output: Vec<u8>,
    /// Logs a transaction would emit.
    pub logs: Vec<Log>,
}

/// How a simulated call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallStatus {
    /// Returned normally.
    Success,
    /// Reverted; the message includes the decoded reason.
    Reverted(String),
    /// Halted (out of gas, invalid opcode, …).
    Halted(String),
    /// Refused before execution (e.g. insufficient funds for the value).
    Invalid(String),
    /// Stopped by its [`Budget`]: past the deadline, or nobody waits for the answer any more.
    Stopped(String),
}

/// How long a simulated call may run. A simulation is not consensus work, so it may look at the
/// clock: the node stops it at its deadline, or as soon as its caller sets `cancelled` (the
/// client went away), instead of letting an endless loop hold a thread.
#[derive(Clone, Debug, Default)]
pub struct Budget {
    /// When to stop (`None`: only the gas limit bounds the call).
    pub deadline: Option<std::time::Instant>,
    /// Set by the caller when the answer is no longer wanted.
    pub cancelled: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Budget {
    /// A budget of `time` from now.
    pub fn lasting(time: std::time::Duration) -> Self {
        Self { deadline: Some(std::time::Instant::now() + time), ..Self::default() }
    }

    /// Why the call must stop now, if it must.
    pub fn exhausted(&self) -> Option<&'static str> {
        if self.cancelled.load(std::sync::atomic::Ordering::Relaxed) {
            Some("the call was cancelled: its client went away")
        } else if self.deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            Some("execution timed out: the call ran past the node's time limit for simulated calls")
        } else {
            None
        }
    }
}

/// An inspector that halts every frame of a call once its [`Budget`] is spent. The clock is read
/// every [`Watchdog::EVERY`] instructions; after the first halt every further instruction of an
/// outer frame halts too, so a caller looping over failing sub-calls cannot go on.
struct Watchdog<'b> {
    budget: &'b Budget,
    steps: u32,
    stopped: Option<&'static str>,
}

impl Watchdog<'_> {
    const EVERY: u32 = 4096;
}

impl<CTX> revm::Inspector<CTX, EthInterpreter> for Watchdog<'_> {
    fn step(&mut self, interp: &mut revm::interpreter::Interpreter<EthInterpreter>, _: &mut CTX) {
        if self.stopped.is_none() {
            self.steps = self.steps.wrapping_add(1);
            if !self.steps.is_multiple_of(Self::EVERY) {
                return;
            }
            self.stopped = self.budget.exhausted();
        }
        if self.stopped.is_some() {
            interp.halt(revm::interpreter::InstructionResult::OutOfGas);
        }
    }
}

/// Simulates `req` on `base` in the environment of the block `ctx` (nothing is written), within
/// `budget`. Nonce, fee and EIP-3607 checks are off, as `eth_call` expects.
pub fn call<R: StateRead + ?Sized>(
    base: &R,
    ctx: BlockContext,
    chain_id: u64,
    params: &ChainParams,
    req: &CallRequest,
    budget: &Budget,
) -> Result<CallOutcome, ExecError> {
    let overlay = Overlay::new(base);
    let codes = RefCell::new(BTreeMap::new());
    let mut env = EvmEnv::new(ctx, chain_id, params);
    env.any_frozen = crate::governance::Policy::load(base)?.any_frozen();
    let price = req.gas_price.unwrap_or(0);
    env.cfg.disable_nonce_check = true;
    env.cfg.disable_eip3607 = true;
    env.cfg.disable_block_gas_limit = true;
    env.cfg.disable_base_fee = price == 0;
    env.cfg.disable_fee_charge = price == 0;
    let db = EvmDb { overlay: &overlay, suite: ctx.suite, codes: &codes };
    let mut evm = env.build_with(&db, Watchdog { budget, steps: 0, stopped: None });
    let from = req.from.unwrap_or(Address::ZERO);
    let tx = TxEnv {
        tx_type: 0,
        caller: evm_addr(&from),
        gas_limit: req.gas.unwrap_or(params.max_tx_gas),
        gas_price: price,
        kind: match req.to {
            Some(to) => TxKind::Call(evm_addr(&to)),
            None => TxKind::Create,
        },
        value: U256::from(req.value),
        data: req.data.clone().into(),
        nonce: 0,
        chain_id: Some(chain_id),
        ..Default::default()
    };
    let result = evm.inspect_tx(tx);
    if let Some(why) = evm.inspector.stopped {
        return Ok(CallOutcome { status: CallStatus::Stopped(why.into()), gas_used: 0, output: vec![], logs: vec![] });
    }
    let result = match result {
        Ok(r) => r.result,
        Err(EVMError::Transaction(e)) => {
            return Ok(CallOutcome {
                status: CallStatus::Invalid(e.to_string()),
                gas_used: 0,
                output: vec![],
                logs: vec![],
            })
        }
        Err(EVMError::Database(e)) => return Err(e),
        Err(other) => return Err(ExecError::Invalid(format!("EVM failure: {other}"))),
    };
    let gas_used = result.tx_gas_used();
    Ok(match result {
        ExecutionResult::Success { logs, output, .. } => CallOutcome {
            status: CallStatus::Success,
            gas_used,
            output: output.data().to_vec(),
            logs: convert_logs(&logs),
        },
        ExecutionResult::Revert { output, .. } => CallOutcome {
            status: CallStatus::Reverted(revert_message(&output)),
            gas_used,
            output: output.to_vec(),
            logs: vec![],
        },
        ExecutionResult::Halt { reason, .. } => {
            CallOutcome { status: CallStatus::Halted(halt_message(&reason)), gas_used, output: vec![], logs: vec![] }
        }
    })
}

/// Smallest gas limit with which `req` succeeds (binary search, as Ethereum nodes do: gas use
/// alone is not enough because of refunds and the 63/64 rule). `Err` carries the failing outcome
/// at the highest allowed limit.
pub fn estimate_gas<R: StateRead + ?Sized>(
    base: &R,
    ctx: BlockContext,
    chain_id: u64,
    params: &ChainParams,
    req: &CallRequest,
    budget: &Budget,
) -> Result<Result<u64, CallOutcome>, ExecError> {
    let cap = req.gas.unwrap_or(params.max_tx_gas).min(params.max_tx_gas);
    let mut probe = req.clone();
    probe.gas = Some(cap);
    let top = call(base, ctx, chain_id, params, &probe, budget)?;
    if top.status != CallStatus::Success {
        return Ok(Err(top));
    }
    // Everything below the gas used fails; search between it and the cap.
    let mut lo = top.gas_used.saturating_sub(1).max(20_999);
    let mut hi = cap;
    // Most calls succeed with a small margin over their use: try that first.
    let guess = top.gas_used.saturating_mul(64) / 63 + 2_300;
    let mut next = (guess < hi).then_some(guess);
    while let Some(gas) = next.take().or_else(|| (lo + 1 < hi).then(|| lo + (hi - lo) / 2)) {
        probe.gas = Some(gas);
        let out = call(base, ctx, chain_id, params, &probe, budget)?;
        match out.status {
            CallStatus::Success => hi = gas,
            CallStatus::Reverted(_) | CallStatus::Halted(_) | CallStatus::Invalid(_) => lo = gas,
            CallStatus::Stopped(_) => return Ok(Err(out)),
        }
    }
    Ok(Ok(hi))
}

/// The runtime code of `addr` (empty for accounts without code).
pub fn code_of<R: StateRead + ?Sized>(base: &R, addr: &Address) -> Result<Vec<u8>, ExecError> {
    Ok(base.get(&keys::evm_code(addr))?.map(|v| v.get(32..).unwrap_or_default().to_vec()).unwrap_or_default())
}

/// The value of a storage slot of `addr`.
pub fn storage_of<R: StateRead + ?Sized>(base: &R, addr: &Address, slot: &[u8; 32]) -> Result<[u8; 32], ExecError> {
    Ok(base.get(&keys::evm_slot(addr, slot))?.and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok()).unwrap_or([0; 32]))
}
