//! Hash functions and the chain-wide [`Suite`].

use crate::{AccountScheme, CryptoError, Hash32};
use sha2::Digest;
use std::{fmt, str::FromStr};

/// SHA-256.
pub fn sha256(data: &[u8]) -> Hash32 {
    sha2::Sha256::digest(data).into()
}

/// Keccak-256 (the original Keccak padding used by Ethereum, not NIST SHA3-256).
pub fn keccak256(data: &[u8]) -> Hash32 {
    sha3::Keccak256::digest(data).into()
}

/// SM3 (GB/T 32905-2016).
pub fn sm3(data: &[u8]) -> Hash32 {
    sm3::Sm3::digest(data).into()
}

pub(crate) fn digest_parts<D: Digest>(parts: &[&[u8]]) -> Hash32
where
    sha2::digest::Output<D>: Into<Hash32>,
{
    let mut h = D::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The chain-wide cryptographic suite, fixed at genesis.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Suite {
    /// SHA-256, secp256k1 accounts, Ed25519 nodes.
    Standard,
    /// Chinese commercial cryptography: SM3, SM2 accounts and nodes (SM4 at rest).
    Gm,
}

impl Suite {
    /// All suites, in declaration order.
    pub const ALL: [Suite; 2] = [Suite::Standard, Suite::Gm];

    /// The suite's hash: SHA-256 for `Standard`, SM3 for `Gm`. Used for blocks, Merkle trees and
    /// content hashes.
    pub fn hash(self, data: &[u8]) -> Hash32 {
        match self {
            Suite::Standard => sha256(data),
            Suite::Gm => sm3(data),
        }
    }

    /// The suite's hash of the concatenation of `parts`, without allocating.
    pub fn hash_parts(self, parts: &[&[u8]]) -> Hash32 {
        match self {
            Suite::Standard => digest_parts::<sha2::Sha256>(parts),
            Suite::Gm => digest_parts::<sm3::Sm3>(parts),
        }
    }

    /// The account (transaction) signature scheme: secp256k1 for `Standard`, SM2 for `Gm`.
    pub fn account_scheme(self) -> AccountScheme {
        match self {
            Suite::Standard => AccountScheme::Secp256k1,
            Suite::Gm => AccountScheme::Sm2,
        }
    }

    /// The lowercase name: `"standard"` or `"gm"` (as in serde and [`FromStr`]).
    pub fn name(self) -> &'static str {
        match self {
            Suite::Standard => "standard",
            Suite::Gm => "gm",
        }
    }
}

impl fmt::Display for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Suite {
    type Err = CryptoError;

    /// Parses `"standard"` or `"gm"` (ASCII case-insensitive, surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Suite::ALL
            .into_iter()
            .find(|suite| suite.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| CryptoError::UnsupportedScheme(format!("unknown suite {s:?}; valid values: standard, gm")))
    }
}

/// The suite's hash computed over data that arrives in pieces (a file read in chunks, say):
/// `update` each piece, then `finalize`; equal to [`Suite::hash`] of the concatenation.
#[derive(Clone, Debug)]
pub enum SuiteHasher {
    /// SHA-256 (`Standard`).
    Sha256(sha2::Sha256),
    /// SM3 (`Gm`).
    Sm3(sm3::Sm3),
}

impl SuiteHasher {
    /// A hasher for `suite`.
    pub fn new(suite: Suite) -> Self {
        match suite {
            Suite::Standard => SuiteHasher::Sha256(sha2::Sha256::new()),
            Suite::Gm => SuiteHasher::Sm3(sm3::Sm3::new()),
        }
    }

    /// Feeds the next piece.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            SuiteHasher::Sha256(h) => h.update(data),
            SuiteHasher::Sm3(h) => h.update(data),
        }
    }

    /// The hash of everything fed.
    pub fn finalize(self) -> Hash32 {
        match self {
            SuiteHasher::Sha256(h) => h.finalize().into(),
            SuiteHasher::Sm3(h) => h.finalize().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_names_and_parsing() {
        for s in Suite::ALL {
            assert_eq!(s.name().parse::<Suite>().unwrap(), s);
            assert_eq!(s.to_string(), s.name());
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.name()));
        }
        assert_eq!(" GM ".parse::<Suite>().unwrap(), Suite::Gm);
        let err = "sha".parse::<Suite>().unwrap_err().to_string();
        assert!(err.contains("standard") && err.contains("gm"), "{err}");
        assert_eq!(Suite::Standard.account_scheme(), AccountScheme::Secp256k1);
        assert_eq!(Suite::Gm.account_scheme(), AccountScheme::Sm2);
    }

    #[test]
    fn hash_parts_equals_hash_of_concatenation() {
        for s in Suite::ALL {
            assert_eq!(s.hash_parts(&[b"ab", b"", b"c"]), s.hash(b"abc"));
            assert_eq!(s.hash_parts(&[]), s.hash(b""));
        }
        assert_eq!(Suite::Standard.hash(b"abc"), sha256(b"abc"));
        assert_eq!(Suite::Gm.hash(b"abc"), sm3(b"abc"));
    }

    #[test]
    fn streaming_hasher_equals_one_shot_hash() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        for s in Suite::ALL {
            for chunk in [1, 7, 64, 4096, 10_000] {
                let mut h = SuiteHasher::new(s);
                data.chunks(chunk).for_each(|c| h.update(c));
                assert_eq!(h.finalize(), s.hash(&data), "{s} in chunks of {chunk}");
            }
        }
    }
}
