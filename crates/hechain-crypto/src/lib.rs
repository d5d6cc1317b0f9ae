//! Cryptography for hechain.
//!
//! A chain fixes one [`Suite`] at genesis:
//!
//! | suite        | hash    | account (transaction) signatures | node (consensus) signatures |
//! |--------------|---------|----------------------------------|-----------------------------|
//! | [`Suite::Standard`] | SHA-256 | secp256k1 ECDSA over keccak256, recoverable (Ethereum) | Ed25519 |
//! | [`Suite::Gm`]       | SM3     | SM2 with the default ID `1234567812345678` | SM2 |
//!
//! Besides that the crate offers SM4 (CTR mode and raw blocks) for encryption at rest, the
//! suite's AEAD ([`aead`]: AES-256-GCM or SM4-GCM),
//! Ethereum-compatible passphrase keystores ([`keystore`]) and serde helpers for
//! `0x`-hex byte strings ([`hexser`]).
//!
//! All algorithms come from maintained crates (RustCrypto, `secp256k1`, `ed25519-dalek`);
//! nothing here is a hand-written primitive.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod account;
pub mod aead;
mod error;
mod hash;
pub mod hexser;
pub mod keystore;
mod node;
mod rng;
pub use rng::random_secret;
pub mod sealed;
mod symmetric;

pub use account::{
    address_from_sec1_pubkey, parse_address, recover_signer, recover_signer_prehash, to_checksum_address, AccountKey,
    AccountScheme, AccountSignature, SM2_DEFAULT_ID,
};
pub use error::CryptoError;
pub use hash::{keccak256, sha256, sm3, Suite, SuiteHasher};
pub use node::{verify_node_batch, NodeKey, NodePublicKey, NodeSignature};
pub use symmetric::{sm4_ctr_apply, sm4_decrypt_block, sm4_encrypt_block};

/// 32 fresh bytes from the operating system's CSPRNG (salts, nonces).
pub fn random_bytes32() -> Result<[u8; 32], CryptoError> {
    Ok(*rng::bytes32()?)
}

/// A 32-byte digest (block hashes, Merkle nodes, content hashes, prehashes).
pub type Hash32 = [u8; 32];

/// A 20-byte account address.
pub type Addr20 = [u8; 20];
