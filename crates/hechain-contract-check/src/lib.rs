//! Pre-deploy checks of EVM bytecode (合约安全检测).
//!
//! [`check`] reads a contract's runtime bytecode and reports the classic hazards an auditor looks
//! for first:
//!
//! | hazard | what is looked for |
//! |---|---|
//! | [`Hazard::Reentrancy`] | a state write (`SSTORE`) reachable after an external `CALL` that forwards gas (state updated after the interaction) |
//! | [`Hazard::SelfDestruct`] | a reachable `SELFDESTRUCT` |
//! | [`Hazard::CallerChosenDelegatecall`] | a `DELEGATECALL` whose target address comes from call data |
//! | [`Hazard::UncheckedCall`] | the success flag of a `CALL`/`DELEGATECALL`/`STATICCALL` discarded without being tested |
//! | [`Hazard::TxOriginAuth`] | `ORIGIN` compared for equality (authorisation by `tx.origin`) |
//!
//! How: the code is split into basic blocks and run abstractly from offset 0. Each stack slot is
//! known as a small constant, a value derived from call data, `CALLER`, `ORIGIN`, a call's
//! success flag, or unknown; constants resolve the jumps Solidity emits (internal calls push their
//! return address), so values follow the program across blocks. A block is revisited while what
//! arrives at it changes (bounded), so the analysis ends on any input. It is a heuristic, like
//! every static checker: it can miss hazards hidden behind computed jumps and can report
//! patterns that are safe in context (a gas-limited `transfer` followed by a state write); it is
//! a review aid, not a proof.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use revm::bytecode::opcode::{self, OpCode};

/// A kind of hazard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hazard {
    /// State written after an external call.
    Reentrancy,
    /// The contract can destroy itself.
    SelfDestruct,
    /// `DELEGATECALL` to an address the caller chooses.
    CallerChosenDelegatecall,
    /// A call's success is not checked.
    UncheckedCall,
    /// Authorisation by `tx.origin`.
    TxOriginAuth,
}

impl Hazard {
    /// What the hazard means and what to do about it.
    pub fn advice(self) -> &'static str {
        match self {
            Hazard::Reentrancy => {
                "state is written after an external call: a called contract can re-enter first and act on the old \
                 state; update state before the call (checks-effects-interactions) or use a reentrancy guard"
            }
            Hazard::SelfDestruct => {
                "the contract can self-destruct: whoever reaches it can move the contract's balance out and end its \
                 service; remove selfdestruct"
            }
            Hazard::CallerChosenDelegatecall => {
                "delegatecall to an address taken from call data: any caller can run arbitrary code with this \
                 contract's storage and balance; delegate only to fixed or governed addresses"
            }
            Hazard::UncheckedCall => {
                "the success flag of a low-level call is discarded: a failed call goes unnoticed; check it \
                 (require(ok)) or use a high-level call"
            }
            Hazard::TxOriginAuth => {
                "tx.origin is compared for authorisation: any contract the owner calls can act as the owner; \
                 compare msg.sender instead"
            }
        }
    }
}

/// One finding: the hazard and the byte offset of the instruction that shows it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// The hazard.
    pub hazard: Hazard,
    /// Offset of the instruction in the runtime code.
    pub offset: usize,
}

/// An abstract stack value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum V {
    Unknown,
    /// A constant that fits 64 bits (jump targets, sizes).
    Const(u64),
    /// Derived from call data.
    CallData,
    Caller,
    Origin,
    /// The success flag of the call at this offset.
    CallResult(usize),
}

/// The abstract state on entry to a block.
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    /// Top of the stack last; at most [`DEPTH`] entries are tracked.
    stack: Vec<V>,
    /// Offset of an external call that may have happened before.
    after_call: Option<usize>,
}

/// Stack entries tracked (deeper ones are unknown).
const DEPTH: usize = 64;
/// Times one block is analysed before its entry state stops being refined.
const VISITS: u32 = 16;

impl State {
    fn pop(&mut self) -> V {
        self.stack.pop().unwrap_or(V::Unknown)
    }

    fn push(&mut self, v: V) {
        self.stack.push(v);
        if self.stack.len() > DEPTH {
            self.stack.remove(0);
        }
    }

    fn peek(&self, n: usize) -> V {
        self.stack.len().checked_sub(n + 1).map_or(V::Unknown, |i| self.stack[i])
    }

    /// The join of two entry states: equal slots stay, others become unknown.
    fn join(&self, other: &State) -> State {
        let n = self.stack.len().min(other.stack.len());
        let a = &self.stack[self.stack.len() - n..];
        let b = &other.stack[other.stack.len() - n..];
        let stack = a.iter().zip(b).map(|(x, y)| if x == y { *x } else { V::Unknown }).collect();
        State { stack, after_call: self.after_call.or(other.after_call) }
    }
}

/// The runtime code without Solidity's metadata trailer (CBOR, its length in the last two bytes).
fn strip_metadata(code: &[u8]) -> &[u8] {
    if code.len() < 2 {
        return code;
    }
    let len = u16::from_be_bytes([code[code.len() - 2], code[code.len() - 1]]) as usize;
    match code.len().checked_sub(len + 2) {
        // CBOR maps of Solidity metadata start with 0xa1..0xa5.
        Some(start) if len > 0 && (0xa1..=0xa5).contains(&code[start]) => &code[..start],
        _ => code,
    }
}

/// Offsets of the `JUMPDEST` instructions (not bytes inside push data).
fn jumpdests(code: &[u8]) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let mut pc = 0;
    while pc < code.len() {
        let op = code[pc];
        if op == opcode::JUMPDEST {
            out.insert(pc);
        }
        pc += 1 + push_len(op);
    }
    out
}

fn push_len(op: u8) -> usize {
    if (opcode::PUSH1..=opcode::PUSH32).contains(&op) {
        (op - opcode::PUSH1 + 1) as usize
    } else {
        0
    }
}

/// Findings of an analysis run.
#[derive(Default)]
struct Report {
    findings: BTreeSet<Finding>,
    /// Calls whose success flag was discarded / tested somewhere.
    popped: BTreeSet<usize>,
    tested: BTreeSet<usize>,
}

impl Report {
    fn add(&mut self, hazard: Hazard, offset: usize) {
        self.findings.insert(Finding { hazard, offset });
    }

    /// A value is used by something other than `POP`.
    fn consumed(&mut self, v: V) {
        if let V::CallResult(at) = v {
            self.tested.insert(at);
        }
    }
}

/// Checks runtime bytecode; findings in offset order, each hazard reported once per instruction.
pub fn check(code: &[u8]) -> Vec<Finding> {
    let code = strip_metadata(code);
    let dests = jumpdests(code);
    let mut report = Report::default();
    let mut entry: BTreeMap<usize, (State, u32)> = BTreeMap::new();
    let mut work = VecDeque::from([(0usize, State { stack: Vec::new(), after_call: None })]);
    while let Some((start, arriving)) = work.pop_front() {
        let state = match entry.get_mut(&start) {
            Some((known, visits)) => {
                let joined = known.join(&arriving);
                if joined == *known || *visits >= VISITS {
                    continue;
                }
                *visits += 1;
                *known = joined.clone();
                joined
            }
            None => {
                entry.insert(start, (arriving.clone(), 1));
                arriving
            }
        };
        for next in run_block(code, &dests, start, state, &mut report) {
            work.push_back(next);
        }
    }
    for at in &report.popped {
        if !report.tested.contains(at) {
            report.findings.insert(Finding { hazard: Hazard::UncheckedCall, offset: *at });
        }
    }
    let mut out: Vec<Finding> = report.findings.into_iter().collect();
    out.sort_by_key(|f| (f.offset, f.hazard));
    out
}

/// Runs one basic block from `start`; the blocks it may continue at, with their entry states.
fn run_block(
    code: &[u8],
    dests: &BTreeSet<usize>,
    start: usize,
    mut st: State,
    report: &mut Report,
) -> Vec<(usize, State)> {
    let target = |v: V| match v {
        V::Const(t) if dests.contains(&(t as usize)) => Some(t as usize),
        _ => None,
    };
    let mut pc = start;
    while pc < code.len() {
        let op = code[pc];
        let next = pc + 1 + push_len(op);
        if pc != start && op == opcode::JUMPDEST {
            return vec![(pc, st)];
        }
        match op {
            opcode::PUSH0 => st.push(V::Const(0)),
            o if (opcode::PUSH1..=opcode::PUSH32).contains(&o) => {
                let data = code.get(pc + 1..next.min(code.len())).unwrap_or_default();
                let significant = data.iter().skip_while(|b| **b == 0).count();
                let v = if significant <= 8 {
                    V::Const(data.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64))
                } else {
                    V::Unknown
                };
                st.push(v);
            }
            o if (opcode::DUP1..=opcode::DUP16).contains(&o) => {
                let v = st.peek((o - opcode::DUP1) as usize);
                st.push(v);
            }
            o if (opcode::SWAP1..=opcode::SWAP16).contains(&o) => {
                let n = (o - opcode::SWAP1 + 1) as usize;
                let len = st.stack.len();
                if len > n {
                    st.stack.swap(len - 1, len - 1 - n);
                } else {
                    // The other slot is below what is tracked: the top becomes unknown.
                    if let Some(top) = st.stack.last_mut() {
                        *top = V::Unknown;
                    }
                }
            }
            opcode::POP => {
                if let V::CallResult(at) = st.pop() {
                    report.popped.insert(at);
                }
            }
            opcode::CALLDATALOAD => {
                let v = st.pop();
                report.consumed(v);
                st.push(V::CallData);
            }
            opcode::CALLER => st.push(V::Caller),
            opcode::ORIGIN => st.push(V::Origin),
            opcode::EQ => {
                let (a, b) = (st.pop(), st.pop());
                report.consumed(a);
                report.consumed(b);
                if a == V::Origin || b == V::Origin {
                    report.add(Hazard::TxOriginAuth, pc);
                }
                st.push(V::Unknown);
            }
            opcode::SSTORE => {
                let (k, v) = (st.pop(), st.pop());
                report.consumed(k);
                report.consumed(v);
                if st.after_call.is_some() {
                    report.add(Hazard::Reentrancy, pc);
                }
            }
            opcode::CALL | opcode::CALLCODE | opcode::DELEGATECALL | opcode::STATICCALL => {
                let inputs = if matches!(op, opcode::CALL | opcode::CALLCODE) { 7 } else { 6 };
                let gas = st.pop();
                let addr = st.pop();
                for _ in 2..inputs {
                    let v = st.pop();
                    report.consumed(v);
                }
                report.consumed(gas);
                report.consumed(addr);
                if op == opcode::DELEGATECALL && addr == V::CallData {
                    report.add(Hazard::CallerChosenDelegatecall, pc);
                }
                // Calls that forward gas to other code (not a fixed stipend or a precompile).
                let stipend = matches!(gas, V::Const(g) if g <= 2300);
                let precompile = matches!(addr, V::Const(a) if a < 0x10000);
                if op == opcode::CALL && !stipend && !precompile {
                    st.after_call = Some(pc);
                }
                st.push(V::CallResult(pc));
            }
            opcode::SELFDESTRUCT => {
                report.add(Hazard::SelfDestruct, pc);
                return vec![];
            }
            opcode::JUMP => {
                let t = st.pop();
                return target(t).map(|t| vec![(t, st)]).unwrap_or_default();
            }
            opcode::JUMPI => {
                let t = st.pop();
                let cond = st.pop();
                report.consumed(cond);
                let mut out = vec![(next, st.clone())];
                out.extend(target(t).map(|t| (t, st)));
                return out;
            }
            _ => {
                let Some(info) = OpCode::new(op).map(|o| o.info()) else { return vec![] };
                if info.is_terminating() {
                    return vec![];
                }
                // Anything else: derived values keep call-data taint.
                let mut tainted = false;
                for _ in 0..info.inputs() {
                    let v = st.pop();
                    tainted |= v == V::CallData;
                    report.consumed(v);
                }
                for _ in 0..info.outputs() {
                    st.push(if tainted { V::CallData } else { V::Unknown });
                }
            }
        }
        pc = next;
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hazards(code: &[u8]) -> Vec<Hazard> {
        check(code).into_iter().map(|f| f.hazard).collect()
    }

    #[test]
    fn small_programs() {
        // SELFDESTRUCT of the caller.
        assert_eq!(hazards(&[opcode::CALLER, opcode::SELFDESTRUCT]), vec![Hazard::SelfDestruct]);
        // Unreachable SELFDESTRUCT after STOP (no JUMPDEST leads there).
        assert!(hazards(&[opcode::STOP, opcode::CALLER, opcode::SELFDESTRUCT]).is_empty());
        // ORIGIN == CALLER.
        assert_eq!(
            hazards(&[opcode::ORIGIN, opcode::CALLER, opcode::EQ, opcode::POP, opcode::STOP]),
            vec![Hazard::TxOriginAuth]
        );
        // DELEGATECALL(gas, calldataload(4), 0, 0, 0, 0) with its flag discarded.
        let mut code = vec![0x5f, 0x5f, 0x5f, 0x5f, 0x60, 4, opcode::CALLDATALOAD, opcode::GAS, opcode::DELEGATECALL];
        code.extend([opcode::POP, opcode::STOP]);
        assert_eq!(hazards(&code), vec![Hazard::CallerChosenDelegatecall, Hazard::UncheckedCall]);
        // CALL(gas, caller, 0, 0, 0, 0, 0), flag tested, then SSTORE(0, 1): reentrancy.
        let mut code = vec![0x5f, 0x5f, 0x5f, 0x5f, 0x5f, opcode::CALLER, opcode::GAS, opcode::CALL];
        code.extend([opcode::ISZERO, opcode::POP, 0x60, 1, 0x5f, opcode::SSTORE, opcode::STOP]);
        assert_eq!(hazards(&code), vec![Hazard::Reentrancy]);
        // The same write before the call is fine.
        let mut code = vec![0x60, 1, 0x5f, opcode::SSTORE, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, opcode::CALLER, opcode::GAS];
        code.extend([opcode::CALL, opcode::ISZERO, opcode::POP, opcode::STOP]);
        assert!(hazards(&code).is_empty());
    }

    #[test]
    fn any_input_ends() {
        // Loops, truncated pushes, stack underflows and junk end without a panic.
        for code in [&[0x5b, 0x60, 0x00, 0x56][..], &[0x7f, 1, 2], &[0x01, 0x01, 0x56], &[0xfe; 40], &[0x5b; 3]] {
            let _ = check(code);
        }
        let junk: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        let _ = check(&junk);
    }
}
