//! Node (consensus / block) signing keys: Ed25519 for [`Suite::Standard`], SM2 for [`Suite::Gm`].

use crate::account::{sm2_compressed, sm2_generate, sm2_sign, sm2_signing_key, sm2_verify};
use crate::{hexser, CryptoError, Suite};
use ed25519_dalek::{Signer as _, Verifier as _};
use rayon::prelude::*;
use sm2::elliptic_curve::sec1::ToSec1Point;
use std::fmt;
use zeroize::Zeroizing;

#[derive(Clone)]
enum NodeInner {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// A node's private signing key. `Debug` shows only the suite and public key.
#[derive(Clone)]
pub struct NodeKey {
    inner: NodeInner,
    public: NodePublicKey,
}

impl fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeKey")
            .field("suite", &self.suite())
            .field("public_key", &self.public)
            .finish_non_exhaustive()
    }
}

impl NodeKey {
    /// A new random key from OS randomness.
    ///
    /// # Panics
    /// If the operating system's random number generator fails (see [`Self::try_generate`]).
    pub fn generate(suite: Suite) -> Self {
        match Self::try_generate(suite) {
            Ok(k) => k,
            Err(e) => panic!("NodeKey::generate: {e}"),
        }
    }

    /// Like [`Self::generate`], but reports an OS RNG failure as an error.
    pub fn try_generate(suite: Suite) -> Result<Self, CryptoError> {
        match suite {
            Suite::Standard => Self::from_bytes(suite, crate::rng::bytes32()?.as_ref()),
            Suite::Gm => Ok(Self::from_sm2(sm2_generate()?)),
        }
    }

    fn from_sm2(sk: sm2::dsa::SigningKey) -> Self {
        let public = NodePublicKey { bytes: sm2_compressed(sk.verifying_key()).to_vec() };
        NodeKey { inner: NodeInner::Sm2(Box::new(sk)), public }
    }

    /// A key from its 32 secret bytes: the Ed25519 seed (RFC 8032 "secret key"), or the SM2
    /// private scalar (big-endian, in `[1, n-2]`).
    pub fn from_bytes(suite: Suite, secret: &[u8]) -> Result<Self, CryptoError> {
        match suite {
            Suite::Standard => {
                let seed: [u8; 32] = secret.try_into().map_err(|_| {
                    CryptoError::InvalidKey(format!("Ed25519 secret key must be 32 bytes, got {}", secret.len()))
                })?;
                let seed = Zeroizing::new(seed);
                let sk = ed25519_dalek::SigningKey::from_bytes(&seed);
                let public = NodePublicKey { bytes: sk.verifying_key().to_bytes().to_vec() };
                Ok(NodeKey { inner: NodeInner::Ed25519(Box::new(sk)), public })
            }
            Suite::Gm => Ok(Self::from_sm2(sm2_signing_key(secret)?)),
        }
    }

    /// The 32 secret bytes (see [`Self::from_bytes`]), wiped when dropped.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        match &self.inner {
            NodeInner::Ed25519(sk) => out.copy_from_slice(sk.as_bytes()),
            NodeInner::Sm2(sk) => {
                let bytes = Zeroizing::new(sk.to_bytes());
                out.copy_from_slice(bytes.as_slice());
            }
        }
        out
    }

    /// The suite this key belongs to.
    pub fn suite(&self) -> Suite {
        match self.inner {
            NodeInner::Ed25519(_) => Suite::Standard,
            NodeInner::Sm2(_) => Suite::Gm,
        }
    }

    /// The public key.
    pub fn public_key(&self) -> NodePublicKey {
        self.public.clone()
    }

    /// Sign `msg`: pure Ed25519 (RFC 8032), or SM2 with the default ID `1234567812345678`.
    pub fn sign(&self, msg: &[u8]) -> NodeSignature {
        match &self.inner {
            NodeInner::Ed25519(sk) => NodeSignature(sk.sign(msg).to_bytes()),
            NodeInner::Sm2(sk) => NodeSignature(sm2_sign(sk, msg)),
        }
    }
}

/// A node public key: Ed25519 32 bytes, or SM2 33 bytes SEC1 compressed.
///
/// Serde form: a `0x`-hex string. Borsh form: a length-prefixed byte string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodePublicKey {
    bytes: Vec<u8>,
}

impl NodePublicKey {
    /// Parse and validate a public key for `suite`.
    ///
    /// Ed25519 keys must be canonical point encodings and not of small order; SM2 keys may be
    /// given compressed (33 bytes) or uncompressed (65 bytes) and are stored compressed.
    pub fn from_bytes(suite: Suite, bytes: &[u8]) -> Result<Self, CryptoError> {
        match suite {
            Suite::Standard => {
                let vk = ed25519_verifying_key(bytes)?;
                if vk.is_weak() {
                    return Err(CryptoError::InvalidKey("Ed25519 public key has small order".into()));
                }
                if vk.to_edwards().compress().as_bytes() != bytes {
                    return Err(CryptoError::InvalidKey("Ed25519 public key is not canonically encoded".into()));
                }
                Ok(NodePublicKey { bytes: bytes.to_vec() })
            }
            Suite::Gm => {
                let pk = sm2::PublicKey::from_sec1_bytes(bytes)
                    .map_err(|_| CryptoError::InvalidKey("not a valid SM2 public key".into()))?;
                Ok(NodePublicKey { bytes: pk.to_sec1_point(true).as_bytes().to_vec() })
            }
        }
    }

    /// Parse a `0x`-hex public key for `suite` (see [`Self::from_bytes`]).
    pub fn from_hex(suite: Suite, s: &str) -> Result<Self, CryptoError> {
        Self::from_bytes(suite, &hexser::decode(s)?)
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Verify `sig` over `msg` with this key under `suite`'s node scheme.
    pub fn verify(&self, suite: Suite, msg: &[u8], sig: &NodeSignature) -> Result<(), CryptoError> {
        match suite {
            Suite::Standard => {
                let vk = ed25519_verifying_key(&self.bytes)?;
                let sig = ed25519_dalek::Signature::from_bytes(&sig.0);
                vk.verify(msg, &sig).map_err(|_| CryptoError::SignatureMismatch)
            }
            Suite::Gm => sm2_verify(&self.bytes, msg, &sig.0).map(|_| ()),
        }
    }

    /// `0x`-prefixed lowercase hex.
    pub fn to_hex(&self) -> String {
        hexser::encode(&self.bytes)
    }
}

fn ed25519_verifying_key(bytes: &[u8]) -> Result<ed25519_dalek::VerifyingKey, CryptoError> {
    let arr: &[u8; 32] = bytes
        .try_into()
        .map_err(|_| CryptoError::InvalidKey(format!("Ed25519 public key must be 32 bytes, got {}", bytes.len())))?;
    ed25519_dalek::VerifyingKey::from_bytes(arr)
        .map_err(|_| CryptoError::InvalidKey("not a valid Ed25519 public key".into()))
}

/// Structural check used by deserializers, which do not know the suite.
fn check_node_key_len(len: usize) -> Result<(), String> {
    if len == 32 || len == 33 {
        Ok(())
    } else {
        Err(format!("node public key must be 32 (Ed25519) or 33 (SM2) bytes, got {len}"))
    }
}

impl fmt::Debug for NodePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodePublicKey({})", self.to_hex())
    }
}

impl fmt::Display for NodePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl serde::Serialize for NodePublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        hexser::serialize(&self.bytes, s)
    }
}

impl<'de> serde::Deserialize<'de> for NodePublicKey {
    /// Checks only the length (32 or 33 bytes); the point is validated on verification, or use
    /// [`NodePublicKey::from_bytes`] with the chain's suite.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes: Vec<u8> = hexser::deserialize(d)?;
        check_node_key_len(bytes.len()).map_err(serde::de::Error::custom)?;
        Ok(NodePublicKey { bytes })
    }
}

impl borsh::BorshSerialize for NodePublicKey {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        borsh::BorshSerialize::serialize(&self.bytes, writer)
    }
}

impl borsh::BorshDeserialize for NodePublicKey {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let bytes = <Vec<u8> as borsh::BorshDeserialize>::deserialize_reader(reader)?;
        check_node_key_len(bytes.len()).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(NodePublicKey { bytes })
    }
}

/// A 64-byte node signature (Ed25519 `R || S`, SM2 `r || s`). Serde form: a `0x`-hex string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct NodeSignature(pub [u8; 64]);

impl NodeSignature {
    /// From a 64-byte slice.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; 64] =
            bytes.try_into().map_err(|_| CryptoError::InvalidLength { expected: 64, actual: bytes.len() })?;
        Ok(NodeSignature(arr))
    }

    /// `0x`-prefixed lowercase hex.
    pub fn to_hex(&self) -> String {
        hexser::encode(self.0)
    }
}

impl serde::Serialize for NodeSignature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        hexser::serialize(&self.0, s)
    }
}

impl<'de> serde::Deserialize<'de> for NodeSignature {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        hexser::deserialize(d).map(NodeSignature)
    }
}

/// Items per Ed25519 batch; larger inputs are split and the chunks verified in parallel.
const ED25519_BATCH_CHUNK: usize = 128;

fn batch_item_error(index: usize, source: CryptoError) -> CryptoError {
    CryptoError::BatchItem { index, source: Box::new(source) }
}

/// Verify many `(public key, message, signature)` items at once; `Ok` only if all are valid.
///
/// Ed25519 uses ed25519-dalek's batch verification (chunks of 128, chunks in parallel with
/// rayon); when a chunk fails, its items are checked one by one to name the first bad one.
/// SM2 verifies each item individually, in parallel.
///
/// The error is [`CryptoError::BatchItem`] with the index of the first invalid item.
///
/// Note: as with any Ed25519 batch verifier, a deliberately crafted signature with small-order
/// components could in principle pass the batch equation while failing single verification
/// (and vice versa with negligible probability). Key validation in [`NodePublicKey::from_bytes`]
/// rejects small-order keys; callers needing bit-exact agreement with [`NodePublicKey::verify`]
/// should use it instead.
pub fn verify_node_batch(suite: Suite, items: &[(&NodePublicKey, &[u8], &NodeSignature)]) -> Result<(), CryptoError> {
    match suite {
        Suite::Standard => {
            let failure = items.par_chunks(ED25519_BATCH_CHUNK).enumerate().find_map_first(|(ci, chunk)| {
                ed25519_chunk(chunk).err().map(|(i, e)| batch_item_error(ci * ED25519_BATCH_CHUNK + i, e))
            });
            failure.map_or(Ok(()), Err)
        }
        Suite::Gm => {
            let failure = items
                .par_iter()
                .enumerate()
                .find_map_first(|(i, (pk, msg, sig))| pk.verify(suite, msg, sig).err().map(|e| batch_item_error(i, e)));
            failure.map_or(Ok(()), Err)
        }
    }
}

/// Batch-verify one chunk; on failure return (index within chunk, error).
fn ed25519_chunk(chunk: &[(&NodePublicKey, &[u8], &NodeSignature)]) -> Result<(), (usize, CryptoError)> {
    if chunk.len() == 1 {
        let (pk, msg, sig) = chunk[0];
        return pk.verify(Suite::Standard, msg, sig).map_err(|e| (0, e));
    }
    let mut keys = Vec::with_capacity(chunk.len());
    let mut msgs = Vec::with_capacity(chunk.len());
    let mut sigs = Vec::with_capacity(chunk.len());
    for (i, (pk, msg, sig)) in chunk.iter().enumerate() {
        keys.push(ed25519_verifying_key(pk.as_bytes()).map_err(|e| (i, e))?);
        msgs.push(*msg);
        sigs.push(ed25519_dalek::Signature::from_bytes(&sig.0));
    }
    if ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok() {
        return Ok(());
    }
    for (i, (pk, msg, sig)) in chunk.iter().enumerate() {
        pk.verify(Suite::Standard, msg, sig).map_err(|e| (i, e))?;
    }
    // Every item verifies alone but the batch equation failed: still reject.
    Err((0, CryptoError::InvalidSignature("Ed25519 batch equation failed".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_keys_round_trip() {
        for suite in Suite::ALL {
            let k = NodeKey::generate(suite);
            assert_eq!(k.suite(), suite);
            let k2 = NodeKey::from_bytes(suite, k.secret_bytes().as_ref()).unwrap();
            assert_eq!(k.public_key(), k2.public_key());
            let pk = k.public_key();
            assert_eq!(NodePublicKey::from_bytes(suite, pk.as_bytes()).unwrap(), pk);
            assert_eq!(NodePublicKey::from_hex(suite, &pk.to_hex()).unwrap(), pk);
            let sig = k.sign(b"vote");
            pk.verify(suite, b"vote", &sig).unwrap();
            assert!(matches!(pk.verify(suite, b"vote!", &sig), Err(CryptoError::SignatureMismatch)));
            let other = Suite::ALL.into_iter().find(|s| *s != suite).unwrap();
            assert!(pk.verify(other, b"vote", &sig).is_err());
            assert!(!format!("{k:?}").contains(&hex::encode(*k.secret_bytes())));

            let j = serde_json::to_string(&pk).unwrap();
            assert_eq!(j, format!("\"{}\"", pk.to_hex()));
            assert_eq!(serde_json::from_str::<NodePublicKey>(&j).unwrap(), pk);
            let j = serde_json::to_string(&sig).unwrap();
            assert_eq!(j, format!("\"{}\"", sig.to_hex()));
            assert_eq!(serde_json::from_str::<NodeSignature>(&j).unwrap(), sig);
            assert!(serde_json::from_str::<NodePublicKey>("\"0x0102\"").is_err());
            assert!(serde_json::from_str::<NodeSignature>("\"0x0102\"").is_err());

            let b = borsh::to_vec(&pk).unwrap();
            assert_eq!(borsh::from_slice::<NodePublicKey>(&b).unwrap(), pk);
            assert!(borsh::from_slice::<NodePublicKey>(&borsh::to_vec(&vec![1u8; 5]).unwrap()).is_err());
        }
    }

    #[test]
    fn sm2_uncompressed_key_is_normalised() {
        let k = crate::AccountKey::generate(crate::AccountScheme::Sm2);
        let pk = NodePublicKey::from_bytes(Suite::Gm, &k.public_key_uncompressed()).unwrap();
        assert_eq!(pk.as_bytes(), &k.public_key_compressed()[..]);
    }

    #[test]
    fn invalid_public_keys() {
        assert!(NodePublicKey::from_bytes(Suite::Standard, &[0u8; 33]).is_err());
        // The identity point (y = 1) has small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(NodePublicKey::from_bytes(Suite::Standard, &identity).is_err());
        assert!(NodePublicKey::from_bytes(Suite::Gm, &[0u8; 33]).is_err());
        assert!(NodePublicKey::from_bytes(Suite::Gm, &[0u8; 32]).is_err());
    }

    #[test]
    fn empty_batch_is_ok() {
        for suite in Suite::ALL {
            verify_node_batch(suite, &[]).unwrap();
        }
    }

    #[test]
    fn large_batch_reports_index_across_chunks() {
        let keys: Vec<NodeKey> = (0..4).map(|_| NodeKey::generate(Suite::Standard)).collect();
        let msgs: Vec<Vec<u8>> = (0..300u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let pks: Vec<NodePublicKey> = keys.iter().map(NodeKey::public_key).collect();
        let mut sigs: Vec<NodeSignature> = msgs.iter().enumerate().map(|(i, m)| keys[i % 4].sign(m)).collect();
        let items = |sigs: &[NodeSignature]| -> Result<(), CryptoError> {
            let v: Vec<_> = msgs.iter().enumerate().map(|(i, m)| (&pks[i % 4], m.as_slice(), &sigs[i])).collect();
            verify_node_batch(Suite::Standard, &v)
        };
        items(&sigs).unwrap();
        sigs[200].0[5] ^= 1;
        sigs[250].0[5] ^= 1;
        match items(&sigs) {
            Err(CryptoError::BatchItem { index, .. }) => assert_eq!(index, 200),
            other => panic!("unexpected {other:?}"),
        }
    }
}
