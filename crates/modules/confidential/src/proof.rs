//! The cryptography of confidential amounts, as the chain checks it.
//!
//! - An amount `v` with blinding `r` is the Pedersen commitment `C = v·B + r·B̃` on the
//!   Ristretto group (the `bulletproofs` crate's generators). `C` hides `v` perfectly; it binds
//!   the committer to `v` under the discrete-logarithm assumption.
//! - Every output commitment carries a Bulletproofs range proof that `v ∈ [0, 2⁶⁴)`: one
//!   aggregated proof per call, for the outputs padded with commitments to zero up to a power of
//!   two ([`verify_range`]). The proof's transcript binds the commitments.
//! - The balance proof shows `Σ C_in − Σ C_out = x·B̃` for an `x` the sender knows: a Schnorr
//!   proof of knowledge over the base `B̃` ([`verify_balance`]). A non-zero value difference
//!   would need the discrete logarithm of `B` to base `B̃`. Its Merlin transcript binds the
//!   chain, the sender, the kind of call, the inputs and every output (owner, commitment, sealed
//!   openings), so a proof cannot be replayed in another call, by another sender, or on another
//!   chain, and nothing of an output can be changed under it.
//!
//! Bulletproofs verification weighs its checks with random scalars; consensus code has no
//! randomness, so the weights come from a ChaCha20 stream seeded with a hash of the proof and its
//! commitments (as in the Fiat–Shamir transform, a prover cannot choose them without changing the
//! proof they are derived from). Every node derives the same weights and reaches the same verdict.

use std::sync::OnceLock;

use bulletproofs::{BulletproofGens, PedersenGens, RangeProof};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use hechain_primitives::{Address, H256};
use merlin::Transcript;
use rand_chacha::rand_core::SeedableRng;
use sha2::{Digest, Sha256};

use crate::Output;

/// Bits of the range every amount is proven to lie in.
pub const RANGE_BITS: usize = 64;
/// Most outputs of one call (the aggregated range proof's party capacity).
pub const MAX_OUTPUTS: usize = 8;
/// Most inputs of one call.
pub const MAX_INPUTS: usize = 16;
/// Largest range proof: `(2·log2(64·8) + 9)·32` bytes for eight outputs.
pub const MAX_RANGE_PROOF: usize = 864;
/// A balance proof: the commitment `R` and the response `s`.
pub const BALANCE_PROOF_LEN: usize = 64;

/// The Pedersen and Bulletproofs generators (built once per process).
pub fn generators() -> &'static (PedersenGens, BulletproofGens) {
    static GENS: OnceLock<(PedersenGens, BulletproofGens)> = OnceLock::new();
    GENS.get_or_init(|| (PedersenGens::default(), BulletproofGens::new(RANGE_BITS, MAX_OUTPUTS)))
}

/// The commitment to `value` with `blinding`.
pub fn commit(value: u64, blinding: &Scalar) -> H256 {
    H256(generators().0.commit(Scalar::from(value), *blinding).compress().to_bytes())
}

/// A commitment's point; `what` names it in the error.
pub fn point(c: &H256, what: &str) -> Result<RistrettoPoint, String> {
    CompressedRistretto(c.0).decompress().ok_or_else(|| format!("{what} {c} is not a Ristretto point"))
}

/// The commitments a range proof covers: the outputs', padded with the identity (a commitment to
/// zero with blinding zero) up to a power of two.
fn padded(commitments: &[H256]) -> Vec<CompressedRistretto> {
    let n = commitments.len().max(1).next_power_of_two();
    let mut out: Vec<CompressedRistretto> = commitments.iter().map(|c| CompressedRistretto(c.0)).collect();
    out.resize(n, RistrettoPoint::identity().compress());
    out
}

fn range_transcript() -> Transcript {
    Transcript::new(b"hechain/confidential/range/v1")
}

/// The ChaCha20 stream of a proof's verification weights.
fn weights(proof: &[u8], commitments: &[CompressedRistretto]) -> rand_chacha::ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(b"hechain/confidential/range-weights/v1");
    h.update(proof);
    for c in commitments {
        h.update(c.as_bytes());
    }
    rand_chacha::ChaCha20Rng::from_seed(h.finalize().into())
}

/// Checks that `proof` proves every commitment in `commitments` opens to a value in
/// `[0, 2⁶⁴)`. Stateless: the pool runs it on admission and a block runs it in a parallel pass
/// before executing.
pub fn verify_range(commitments: &[H256], proof: &[u8]) -> Result<(), String> {
    if commitments.is_empty() || commitments.len() > MAX_OUTPUTS {
        return Err(format!("a call has 1 to {MAX_OUTPUTS} outputs, not {}", commitments.len()));
    }
    if proof.len() > MAX_RANGE_PROOF {
        return Err(format!("the range proof is {} bytes, at most {MAX_RANGE_PROOF}", proof.len()));
    }
    let parsed = RangeProof::from_bytes(proof).map_err(|e| format!("the range proof does not parse: {e:?}"))?;
    let cs = padded(commitments);
    let (pc, bp) = generators();
    parsed
        .verify_multiple_with_rng(bp, pc, &mut range_transcript(), &cs, RANGE_BITS, &mut weights(proof, &cs))
        .map_err(|_| "the range proof does not verify: an output may be negative or above 2^64-1".to_string())
}

/// What a balance proof is bound to.
#[derive(Clone, Copy, Debug)]
pub struct BalanceContext<'a> {
    /// The chain (its genesis hash).
    pub chain: H256,
    /// The sender.
    pub sender: Address,
    /// The call's JSON type (`conf_issue`, `conf_transfer`, `conf_settle`).
    pub kind: &'a str,
    /// The inputs: note ids and their commitments, in the call's order.
    pub inputs: &'a [(u64, H256)],
    /// The outputs.
    pub outputs: &'a [Output],
    /// The range proof (bound too, so that neither proof can be swapped).
    pub range_proof: &'a [u8],
}

fn balance_transcript(cx: &BalanceContext<'_>) -> Transcript {
    let mut t = Transcript::new(b"hechain/confidential/balance/v1");
    t.append_message(b"chain", &cx.chain.0);
    t.append_message(b"sender", &cx.sender.0);
    t.append_message(b"kind", cx.kind.as_bytes());
    t.append_u64(b"inputs", cx.inputs.len() as u64);
    for (id, c) in cx.inputs {
        t.append_u64(b"input", *id);
        t.append_message(b"commitment", &c.0);
    }
    t.append_u64(b"outputs", cx.outputs.len() as u64);
    for o in cx.outputs {
        t.append_message(b"owner", &o.owner.0);
        t.append_message(b"commitment", &o.commitment.0);
        t.append_message(b"sealed", &o.sealed);
        t.append_message(b"sealed_auditor", &o.sealed_auditor);
    }
    t.append_message(b"range_proof", cx.range_proof);
    t
}

fn challenge(t: &mut Transcript, excess: &CompressedRistretto, r: &CompressedRistretto) -> Scalar {
    t.append_message(b"excess", excess.as_bytes());
    t.append_message(b"R", r.as_bytes());
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"c", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// `Σ C_in − Σ C_out`.
fn excess(cx: &BalanceContext<'_>) -> Result<RistrettoPoint, String> {
    let mut e = RistrettoPoint::identity();
    for (id, c) in cx.inputs {
        e += point(c, &format!("the commitment of note {id}"))?;
    }
    for (i, o) in cx.outputs.iter().enumerate() {
        e -= point(&o.commitment, &format!("output {i}'s commitment"))?;
    }
    Ok(e)
}

/// Checks that the inputs' and outputs' amounts balance (the sender knows the blinding
/// difference), bound to `cx`.
pub fn verify_balance(cx: &BalanceContext<'_>, proof: &[u8]) -> Result<(), String> {
    if proof.len() != BALANCE_PROOF_LEN {
        return Err(format!("the balance proof is {} bytes, not {BALANCE_PROOF_LEN}", proof.len()));
    }
    let e = excess(cx)?;
    let mut r_bytes = [0u8; 32];
    r_bytes.copy_from_slice(&proof[..32]);
    let r_c = CompressedRistretto(r_bytes);
    let r = r_c.decompress().ok_or("the balance proof's R is not a Ristretto point")?;
    let mut s_bytes = [0u8; 32];
    s_bytes.copy_from_slice(&proof[32..]);
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))
        .ok_or("the balance proof's response is not a canonical scalar")?;
    let c = challenge(&mut balance_transcript(cx), &e.compress(), &r_c);
    let b_blinding = generators().0.B_blinding;
    if c * e + r != s * b_blinding {
        return Err("the balance proof does not verify: the inputs and outputs do not hold the same amount, or the \
                    proof was made for another call"
            .into());
    }
    Ok(())
}

/// Client side: proofs and sealed openings (needs randomness).
#[cfg(feature = "wallet")]
pub mod prove {
    use super::*;
    use rand_core::{CryptoRng, RngCore};

    /// A range proof for `values` with `blindings` (outputs in order).
    pub fn range<R: RngCore + CryptoRng>(values: &[u64], blindings: &[Scalar], rng: &mut R) -> Result<Vec<u8>, String> {
        let n = values.len().max(1).next_power_of_two();
        let mut v = values.to_vec();
        let mut b = blindings.to_vec();
        v.resize(n, 0);
        b.resize(n, Scalar::ZERO);
        let (pc, bp) = generators();
        let (proof, _) = RangeProof::prove_multiple_with_rng(bp, pc, &mut range_transcript(), &v, &b, RANGE_BITS, rng)
            .map_err(|e| format!("cannot prove the range: {e:?}"))?;
        Ok(proof.to_bytes())
    }

    /// A balance proof for `cx`, knowing `x = Σ r_in − Σ r_out`.
    pub fn balance<R: RngCore + CryptoRng>(
        cx: &BalanceContext<'_>,
        x: &Scalar,
        rng: &mut R,
    ) -> Result<Vec<u8>, String> {
        let e = excess(cx)?;
        let k = Scalar::random(rng);
        let r = (k * generators().0.B_blinding).compress();
        let c = challenge(&mut balance_transcript(cx), &e.compress(), &r);
        let s = k + c * x;
        let mut out = r.to_bytes().to_vec();
        out.extend_from_slice(s.as_bytes());
        Ok(out)
    }
}
