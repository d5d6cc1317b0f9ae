//! The state tree's hashing and proof verification: the pure part of the sparse Merkle tree
//! (`hechain_storage::smt` builds, stores and proves it), which offline verifiers need without a
//! database.
//!
//! * Keys are 32-byte hashes; bit `i` of a key is `(key[i / 8] >> (7 - i % 8)) & 1`, `0` = left.
//!   Values are represented by their 32-byte value hashes.
//! * The empty subtree hashes to [`EMPTY_ROOT`] (all zeros); a subtree holding exactly one leaf
//!   is that leaf, at the shallowest depth where it is alone. Maximum depth is 256.
//! * Hashing (domain separated; `H` is SHA-256 or SM3, see [`hasher`]): leaf
//!   `H(0x00 || key || value_hash)`, internal `H(0x01 || left || right)`.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use hechain_crypto::Suite;

/// A 32-byte hash.
pub type Hash32 = [u8; 32];

/// The injected hash function (SHA-256 or SM3).
pub type HashFn = fn(&[u8]) -> Hash32;

/// Root (and hash) of the empty tree / empty subtree.
pub const EMPTY_ROOT: Hash32 = [0u8; 32];

/// Maximum depth of a node (the root is at depth 0, leaves at most at 256).
pub const MAX_DEPTH: usize = 256;

/// Domain-separation tag / encoding tag of a leaf.
pub const LEAF_TAG: u8 = 0x00;
/// Domain-separation tag / encoding tag of an internal node.
pub const INTERNAL_TAG: u8 = 0x01;
/// Length of an encoded node (tag + 64 bytes) and of a hash preimage.
pub const NODE_LEN: usize = 65;

/// Errors of the sparse Merkle tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtError {
    /// A node referenced by the tree is not in the store (hex node hash).
    #[error("missing tree node {0}")]
    MissingNode(String),
    /// Stored data is malformed or the tree is not canonical.
    #[error("corrupt tree data: {0}")]
    Corrupt(String),
    /// The underlying node store failed.
    #[error("node store error: {0}")]
    Store(String),
    /// A proof did not verify.
    #[error("invalid proof: {0}")]
    InvalidProof(String),
}

#[inline]
/// The hash preimage (and node encoding) `tag || a || b`.
pub fn preimage(tag: u8, a: &Hash32, b: &Hash32) -> [u8; NODE_LEN] {
    let mut buf = [0u8; NODE_LEN];
    buf[0] = tag;
    buf[1..33].copy_from_slice(a);
    buf[33..65].copy_from_slice(b);
    buf
}

/// `H(0x00 || key || value_hash)`.
#[inline]
pub fn leaf_hash(h: HashFn, key: &Hash32, value_hash: &Hash32) -> Hash32 {
    h(&preimage(LEAF_TAG, key, value_hash))
}

/// `H(0x01 || left || right)`.
#[inline]
pub fn internal_hash(h: HashFn, left: &Hash32, right: &Hash32) -> Hash32 {
    h(&preimage(INTERNAL_TAG, left, right))
}

/// Bit `i` of `key` (`0` = left), most significant bit of byte 0 first.
#[inline]
pub fn key_bit(key: &Hash32, i: usize) -> u8 {
    (key[i / 8] >> (7 - i % 8)) & 1
}

/// Number of leading bits `a` and `b` have in common (256 if equal).
#[inline]
pub fn common_prefix_bits(a: &Hash32, b: &Hash32) -> usize {
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        let d = x ^ y;
        if d != 0 {
            return i * 8 + d.leading_zeros() as usize;
        }
    }
    MAX_DEPTH
}

/// `0x`-prefixed lowercase hex of a hash.
pub fn hex_of(h: &Hash32) -> String {
    format!("0x{}", hex::encode(h))
}

/// Proof that `key` is present (with its value hash) or absent under a root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Proof {
    /// Sibling hashes from the root downward (index 0 = sibling at depth 1).
    #[serde(with = "hex_serde::vec")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub siblings: Vec<Hash32>,
    /// The leaf found at the end of the path, if any: `(key, value_hash)`.
    /// It may be another key (proof of non-inclusion); `None` means the path
    /// ends in an empty subtree.
    #[serde(with = "hex_serde::opt_pair")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub leaf: Option<(Hash32, Hash32)>,
}

impl Proof {
    /// Checks that under `root`, `key` maps to `value_hash` (`Some`) or is
    /// absent (`None`).
    ///
    /// Only canonical proofs are accepted: at most 256 siblings; unless the
    /// proof is empty its last sibling is non-empty (otherwise the terminal
    /// leaf/empty subtree would not be at the shallowest position); a terminal
    /// leaf of another key must lie on `key`'s path. Soundness rests on the
    /// domain-separated hashing: a leaf hash can equal neither an internal
    /// hash nor the empty hash, so the path of `key` under `root` determines
    /// the terminal uniquely.
    pub fn verify(&self, h: HashFn, root: &Hash32, key: &Hash32, value_hash: Option<&Hash32>) -> Result<(), SmtError> {
        let invalid = |msg: String| Err(SmtError::InvalidProof(msg));
        let n = self.siblings.len();
        if n > MAX_DEPTH {
            return invalid(format!("{n} siblings, at most {MAX_DEPTH} allowed"));
        }
        if self.siblings.last() == Some(&EMPTY_ROOT) {
            return invalid("non-canonical proof: last sibling is empty".into());
        }
        match (value_hash, &self.leaf) {
            (Some(v), Some((k, lv))) => {
                if k != key {
                    return invalid(format!("proof ends at leaf {} instead of {}", hex_of(k), hex_of(key)));
                }
                if lv != v {
                    return invalid(format!("value hash {} does not match proven {}", hex_of(v), hex_of(lv)));
                }
            }
            (Some(_), None) => {
                return invalid("proof ends in an empty subtree: key absent".into());
            }
            (None, Some((k, _))) => {
                if k == key {
                    return invalid(format!("key {} is present", hex_of(key)));
                }
                if common_prefix_bits(k, key) < n {
                    return invalid(format!("leaf {} is not on the path of {} at depth {n}", hex_of(k), hex_of(key)));
                }
            }
            (None, None) => {}
        }
        let mut cur = match &self.leaf {
            Some((k, v)) => leaf_hash(h, k, v),
            None => EMPTY_ROOT,
        };
        for (i, sibling) in self.siblings.iter().enumerate().rev() {
            cur = if key_bit(key, i) == 0 { internal_hash(h, &cur, sibling) } else { internal_hash(h, sibling, &cur) };
        }
        if cur != *root {
            return invalid(format!("computed root {} does not match {}", hex_of(&cur), hex_of(root)));
        }
        Ok(())
    }
}

/// Serde helpers: hashes as `0x`-prefixed lowercase hex strings (the prefix
/// is optional when reading).
mod hex_serde {
    use super::Hash32;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    struct HexRef<'a>(&'a Hash32);

    impl Serialize for HexRef<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&super::hex_of(self.0))
        }
    }

    struct HexOwned(Hash32);

    impl<'de> Deserialize<'de> for HexOwned {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = String::deserialize(d)?;
            let digits = s.strip_prefix("0x").unwrap_or(&s);
            let mut out = [0u8; 32];
            hex::decode_to_slice(digits, &mut out)
                .map_err(|e| D::Error::custom(format!("invalid 32-byte hex hash: {e}")))?;
            Ok(HexOwned(out))
        }
    }

    pub mod vec {
        use super::*;

        pub fn serialize<S: Serializer>(v: &[Hash32], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(v.iter().map(HexRef))
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash32>, D::Error> {
            let v = Vec::<HexOwned>::deserialize(d)?;
            Ok(v.into_iter().map(|h| h.0).collect())
        }
    }

    pub mod opt_pair {
        use super::*;

        pub fn serialize<S: Serializer>(v: &Option<(Hash32, Hash32)>, s: S) -> Result<S::Ok, S::Error> {
            v.as_ref().map(|(a, b)| (HexRef(a), HexRef(b))).serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(Hash32, Hash32)>, D::Error> {
            let v = Option::<(HexOwned, HexOwned)>::deserialize(d)?;
            Ok(v.map(|(a, b)| (a.0, b.0)))
        }
    }
}

/// The state-tree hash function of a suite.
pub fn hasher(suite: Suite) -> HashFn {
    match suite {
        Suite::Standard => hechain_crypto::sha256,
        Suite::Gm => hechain_crypto::sm3,
    }
}
