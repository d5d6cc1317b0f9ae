//! HotStuff-2 / Jolteon-style BFT consensus core: linear, 2-chain commit, sans-IO.
//!
//! [`Core`] is a deterministic state machine: feed it [`Input`]s (peer messages, timer expiry,
//! payload availability) and execute the returned [`Action`]s in order (persist safety state
//! before sending, send / broadcast messages, apply commits, arm the round timer). It does no
//! I/O, reads no clock, uses no randomness and iterates only ordered maps, so equal input
//! sequences give equal outputs.
//!
//! - Leader of round `r`: `r % n`. Quorum `n - f`, `f = (n-1)/3`.
//! - Vote for a proposal in round `r` iff `r > last_voted_round` and either its QC is for `r-1`,
//!   or it carries a TC for `r-1` and its QC round is at least the TC's highest QC round.
//!   Votes go to the leader of `r+1`, which forms the QC and proposes on it.
//! - Commit: a QC for a block whose parent is from the directly preceding round commits the
//!   parent and its uncommitted ancestors.
//! - Pacemaker: on timer expiry broadcast a signed timeout (and stop voting in that round);
//!   `2f+1` timeouts form a TC that moves everyone to the next round. Timer back-off is
//!   `base * 2^min(consecutive expiries, 6)`, reset by a QC.
//! - Missing blocks (needed to walk ancestors for a commit) are fetched from peers with
//!   [`Message::BlockRequest`].

mod core;
mod types;

pub use self::core::{Action, Config, Core, Input, MAX_BACKOFF_EXP, MAX_ROUNDS_AHEAD, PRUNE_WINDOW};
pub use self::types::{
    BlockId, Evidence, HotStuffError, Message, Proposal, ProposedBlock, QuorumCert, SafetyState, TimeoutCert,
    TimeoutMsg, ValidatorIndex, ValidatorSet, Vote,
};
