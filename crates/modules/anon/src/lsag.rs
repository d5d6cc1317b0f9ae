//! Linkable ring signatures: event-oriented LSAG (Liu, Wei and Wong, "Linkable Spontaneous
//! Anonymous Group Signature for Ad Hoc Groups", ACISP 2004, with the link tag bound to an event
//! as in Tsang and Wei's follow-up) on the Ristretto group of curve25519-dalek.
//!
//! A ring is a list of public keys `P_i = x_i·G`. To sign message `m` on `topic`, the member `π`
//! computes its link tag `I = x_π·H_t` with `H_t = H_p(domain ‖ topic)` (a hash to the group),
//! then closes the ring of challenges
//! `c_{i+1} = H_s(ring ‖ topic ‖ I ‖ m ‖ s_i·G + c_i·P_i ‖ s_i·H_t + c_i·I)`, knowing `x_π` only.
//!
//! - **Anonymity**: the signature shows that some `x_i` of the ring signed, not which (under the
//!   decisional Diffie–Hellman assumption in the random-oracle model).
//! - **Linkability per topic**: the same member always produces the same tag `I` on a topic, so a
//!   second signature on it is recognised; tags on different topics are unrelated, so votes in
//!   different polls cannot be linked to each other.
//! - **Unforgeability**: without some `x_i`, no signature verifies (discrete logarithm, ROM).
//!
//! Hashes are SHA-512 (RustCrypto) reduced to scalars, or mapped to the group with Ristretto's
//! Elligator-based `from_uniform_bytes`; the group operations are curve25519-dalek's.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use hechain_primitives::H256;
use sha2::{Digest, Sha512};

/// Most members of a ring.
pub const MAX_RING: usize = 128;

/// A ring signature: the first challenge and one response per ring member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RingSignature {
    /// `c_0`.
    pub c0: Scalar,
    /// `s_0 … s_{n-1}`.
    pub s: Vec<Scalar>,
}

impl RingSignature {
    /// `c_0 ‖ s_0 ‖ … ‖ s_{n-1}` (32 bytes each).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 * (1 + self.s.len()));
        out.extend_from_slice(self.c0.as_bytes());
        for s in &self.s {
            out.extend_from_slice(s.as_bytes());
        }
        out
    }

    /// Parses a signature for a ring of `n`; every scalar must be canonical.
    pub fn from_bytes(b: &[u8], n: usize) -> Result<Self, String> {
        if b.len() != 32 * (n + 1) {
            return Err(format!("a ring signature for {n} members is {} bytes, not {}", 32 * (n + 1), b.len()));
        }
        let scalar = |i: usize| -> Result<Scalar, String> {
            let mut a = [0u8; 32];
            a.copy_from_slice(&b[32 * i..32 * (i + 1)]);
            Option::<Scalar>::from(Scalar::from_canonical_bytes(a))
                .ok_or_else(|| format!("scalar {i} of the ring signature is not canonical"))
        };
        Ok(RingSignature { c0: scalar(0)?, s: (1..=n).map(scalar).collect::<Result<_, _>>()? })
    }
}

/// The group element of a topic, `H_t`.
pub fn topic_point(topic: &[u8]) -> RistrettoPoint {
    let mut h = Sha512::new();
    h.update(b"hechain/lsag/v1/topic");
    h.update((topic.len() as u64).to_be_bytes());
    h.update(topic);
    RistrettoPoint::from_uniform_bytes(&h.finalize().into())
}

/// The public key of a ring secret.
pub fn public_key(secret: &Scalar) -> H256 {
    H256((secret * RISTRETTO_BASEPOINT_TABLE).compress().to_bytes())
}

/// The link tag of `secret` on `topic`: the same for every signature of one member on one topic.
pub fn link_tag(secret: &Scalar, topic: &[u8]) -> H256 {
    H256((secret * topic_point(topic)).compress().to_bytes())
}

/// Checks a public ring key: a Ristretto point, not the identity.
pub fn check_key(k: &H256) -> Result<(), String> {
    key(k, 0).map(|_| ()).map_err(|_| format!("ring key {k} is not a Ristretto point other than the identity"))
}

/// A ring key as a point; `i` names it in the error.
fn key(k: &H256, i: usize) -> Result<RistrettoPoint, String> {
    let p = CompressedRistretto(k.0).decompress().ok_or_else(|| format!("ring key {i} is not a Ristretto point"))?;
    if p == RistrettoPoint::identity() {
        return Err(format!("ring key {i} is the identity"));
    }
    Ok(p)
}

/// The hash of everything but the round's points, absorbed once.
fn prefix(ring: &[H256], topic: &[u8], tag: &H256, msg: &[u8]) -> Sha512 {
    let mut h = Sha512::new();
    h.update(b"hechain/lsag/v1/challenge");
    h.update((ring.len() as u64).to_be_bytes());
    for k in ring {
        h.update(k.0);
    }
    h.update((topic.len() as u64).to_be_bytes());
    h.update(topic);
    h.update(tag.0);
    h.update((msg.len() as u64).to_be_bytes());
    h.update(msg);
    h
}

fn challenge(prefix: &Sha512, l: &RistrettoPoint, r: &RistrettoPoint) -> Scalar {
    let mut h = prefix.clone();
    h.update(l.compress().as_bytes());
    h.update(r.compress().as_bytes());
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

/// Verifies `sig` by a member of `ring` on `msg` and `topic`, with link tag `tag`.
pub fn verify(ring: &[H256], topic: &[u8], msg: &[u8], tag: &H256, sig: &RingSignature) -> Result<(), String> {
    let n = ring.len();
    if n == 0 || n > MAX_RING {
        return Err(format!("a ring has 1 to {MAX_RING} members, not {n}"));
    }
    if sig.s.len() != n {
        return Err(format!("the signature has {} responses for a ring of {n}", sig.s.len()));
    }
    let points = ring.iter().enumerate().map(|(i, k)| key(k, i)).collect::<Result<Vec<_>, _>>()?;
    let i_point = CompressedRistretto(tag.0).decompress().ok_or("the link tag is not a Ristretto point")?;
    if i_point == RistrettoPoint::identity() {
        return Err("the link tag is the identity".into());
    }
    let ht = topic_point(topic);
    let pre = prefix(ring, topic, tag, msg);
    let g = curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
    let mut c = sig.c0;
    for (i, p) in points.iter().enumerate() {
        let l = RistrettoPoint::vartime_multiscalar_mul([sig.s[i], c], [g, *p]);
        let r = RistrettoPoint::vartime_multiscalar_mul([sig.s[i], c], [ht, i_point]);
        c = challenge(&pre, &l, &r);
    }
    if c != sig.c0 {
        return Err("the ring signature does not verify: no member of the ring signed this".into());
    }
    Ok(())
}

/// Signs `msg` on `topic` as member `index` of `ring` with `secret`; returns the link tag and
/// the signature.
#[cfg(feature = "wallet")]
pub fn sign<R: rand_core::RngCore + rand_core::CryptoRng>(
    ring: &[H256],
    (index, secret): (usize, &Scalar),
    topic: &[u8],
    msg: &[u8],
    rng: &mut R,
) -> Result<(H256, RingSignature), String> {
    let n = ring.len();
    if n == 0 || n > MAX_RING || index >= n {
        return Err(format!("member {index} of a ring of {n} (1 to {MAX_RING})"));
    }
    if public_key(secret) != ring[index] {
        return Err(format!("the key is not ring member {index}"));
    }
    let points = ring.iter().enumerate().map(|(i, k)| key(k, i)).collect::<Result<Vec<_>, _>>()?;
    let ht = topic_point(topic);
    let tag = link_tag(secret, topic);
    let i_point = secret * ht;
    let pre = prefix(ring, topic, &tag, msg);
    let g = curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
    let alpha = Scalar::random(rng);
    let mut s = vec![Scalar::ZERO; n];
    let mut c = vec![Scalar::ZERO; n];
    c[(index + 1) % n] = challenge(&pre, &(alpha * g), &(alpha * ht));
    let mut i = (index + 1) % n;
    while i != index {
        s[i] = Scalar::random(rng);
        let l = s[i] * g + c[i] * points[i];
        let r = s[i] * ht + c[i] * i_point;
        c[(i + 1) % n] = challenge(&pre, &l, &r);
        i = (i + 1) % n;
    }
    s[index] = alpha - c[index] * secret;
    Ok((tag, RingSignature { c0: c[0], s }))
}
