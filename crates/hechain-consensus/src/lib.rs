//! Consensus: what makes blocks final.
//!
//! This crate is the sans-IO HotStuff-2 / Jolteon core ([`hotstuff`]) and nothing else: it does
//! not execute, store or pool transactions (no EVM, no mempool, no database). Block production
//! (execution and sealing of ordered blocks) and the one-validator `solo` producer live in
//! `hechain-node`, which drives this core.

pub mod hotstuff;
