//! View keys and sealed openings: how the owner of a note, and the auditor, learn its amount.
//!
//! A view key is a Ristretto key pair `(v, V = v·G)`. The secret is derived from the account key
//! ([`VIEW_KEY_PURPOSE`], `AccountKey::derive_secret`), so a wallet needs nothing but the account
//! key to open its notes; the public half is registered on chain (`conf_register_view_key`).
//!
//! An output's opening `(value, blinding)` is sealed to a view key `V` with a fresh ephemeral
//! `e`: `R = e·G`, key `k = SHA-256(domain ‖ e·V ‖ R ‖ C)`, then the chain suite's AEAD
//! (AES-256-GCM on `standard`, SM4-GCM on `gm`) with a zero nonce (each key seals one message)
//! and the commitment `C` as associated data. Sealed form: `R ‖ ciphertext ‖ tag`
//! ([`SEALED_LEN`] bytes).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use hechain_crypto::Suite;
use hechain_primitives::H256;
use sha2::{Digest, Sha256};

use crate::proof::commit;

/// The purpose the view secret is derived for from an account key.
pub const VIEW_KEY_PURPOSE: &str = "hechain/confidential/view-key/v1";
/// A sealed opening: `R` (32), the value (8) and blinding (32) encrypted, the tag (16).
pub const SEALED_LEN: usize = 32 + 8 + 32 + hechain_crypto::aead::AEAD_TAG_LEN;

/// The view secret from the 32 bytes an account key derives for [`VIEW_KEY_PURPOSE`].
pub fn view_secret(derived: &[u8; 32]) -> Scalar {
    Scalar::from_bytes_mod_order(*derived)
}

/// The public view key of a secret.
pub fn view_public(secret: &Scalar) -> H256 {
    H256((secret * RISTRETTO_BASEPOINT_TABLE).compress().to_bytes())
}

/// Checks a public view key (a registered one, or the auditor's).
pub fn check_view_key(key: &H256) -> Result<RistrettoPoint, String> {
    let p =
        CompressedRistretto(key.0).decompress().ok_or_else(|| format!("view key {key} is not a Ristretto point"))?;
    if p == RistrettoPoint::default() {
        return Err("the view key is the identity point".into());
    }
    Ok(p)
}

fn seal_key(shared: &RistrettoPoint, r: &CompressedRistretto, commitment: &H256) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"hechain/confidential/seal/v1");
    h.update(shared.compress().as_bytes());
    h.update(r.as_bytes());
    h.update(commitment.0);
    h.finalize().into()
}

/// Opens a sealed opening with a view secret and checks it against the commitment: the amount
/// and the blinding.
pub fn open(suite: Suite, view: &Scalar, commitment: &H256, sealed: &[u8]) -> Result<(u64, Scalar), String> {
    if sealed.len() != SEALED_LEN {
        return Err(format!("a sealed opening is {SEALED_LEN} bytes, not {}", sealed.len()));
    }
    let mut r_bytes = [0u8; 32];
    r_bytes.copy_from_slice(&sealed[..32]);
    let r_c = CompressedRistretto(r_bytes);
    let r = r_c.decompress().ok_or("the sealed opening's R is not a Ristretto point")?;
    let key = seal_key(&(view * r), &r_c, commitment);
    let plain = hechain_crypto::aead::open(suite, &key, &[0; 12], &commitment.0, &sealed[32..])
        .map_err(|_| "this view key does not open the note (it is sealed to another key)".to_string())?;
    let mut v = [0u8; 8];
    v.copy_from_slice(&plain[..8]);
    let mut b = [0u8; 32];
    b.copy_from_slice(&plain[8..40]);
    let blinding = Option::<Scalar>::from(Scalar::from_canonical_bytes(b))
        .ok_or("the sealed blinding is not a canonical scalar")?;
    let value = u64::from_le_bytes(v);
    if commit(value, &blinding) != *commitment {
        return Err("the sealed opening does not open the commitment (the sender sealed a wrong amount)".into());
    }
    Ok((value, blinding))
}

/// Seals `(value, blinding)` of `commitment` to the public view key `to`.
#[cfg(feature = "wallet")]
pub fn seal<R: rand_core::RngCore + rand_core::CryptoRng>(
    suite: Suite,
    to: &H256,
    commitment: &H256,
    (value, blinding): (u64, &Scalar),
    rng: &mut R,
) -> Result<Vec<u8>, String> {
    let v = check_view_key(to)?;
    let e = Scalar::random(rng);
    let r = (&e * RISTRETTO_BASEPOINT_TABLE).compress();
    let key = seal_key(&(e * v), &r, commitment);
    let mut plain = value.to_le_bytes().to_vec();
    plain.extend_from_slice(blinding.as_bytes());
    let mut out = r.to_bytes().to_vec();
    out.extend(hechain_crypto::aead::seal(suite, &key, &[0; 12], &commitment.0, &plain));
    Ok(out)
}
