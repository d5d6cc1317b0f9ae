//! Native transactions: what an account asks the chain to do, and its signature.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::{AccountScheme, AccountSignature, Suite};
use serde::{Deserialize, Serialize};

use crate::codec::Codec;
use crate::primitives::{Address, H256};
use crate::TypesError;

/// Domain prefix of the message an account signs (keeps signatures from
/// being replayed as any other kind of hechain message).
pub const TX_SIGNING_DOMAIN: &[u8] = b"hechain/tx/v1";

pub use crate::modules::{Payload, MODULES};

/// The unsigned body of a native transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// Chain id from genesis; a transaction for another chain is refused.
    pub chain_id: u64,
    /// The sender's sequence number, starting at 0.
    pub nonce: u64,
    /// The account that signs and pays.
    pub sender: Address,
    /// Fee the sender pays (must be at least the chain's `min_fee`); it is burned.
    pub fee: u64,
    /// The operation.
    pub payload: Payload,
}

impl Codec for Transaction {}

impl Transaction {
    /// The exact bytes the sender signs: domain prefix + canonical encoding.
    pub fn signing_message(&self) -> Vec<u8> {
        let mut m = TX_SIGNING_DOMAIN.to_vec();
        m.extend_from_slice(&self.encode());
        m
    }

    /// Signs with an account key. The key's address must be `self.sender`.
    pub fn sign(self, key: &hechain_crypto::AccountKey) -> Result<SignedTransaction, TypesError> {
        if Address(key.address()) != self.sender {
            return Err(TypesError::Invalid(format!(
                "key of {} cannot sign for sender {}",
                Address(key.address()),
                self.sender
            )));
        }
        let signature = TxSignature::from(key.sign(&self.signing_message()));
        Ok(SignedTransaction { tx: self, signature })
    }
}

/// A transaction signature in canonical form (mirrors [`AccountSignature`]).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum TxSignature {
    /// secp256k1 ECDSA `r || s || v` (v ∈ {0,1}) over keccak256 of the signing message.
    Secp256k1([u8; 65]),
    /// SM2 with the signer's compressed public key and `r || s`.
    Sm2 {
        /// SEC1 compressed public key.
        public_key: [u8; 33],
        /// `r || s`.
        sig: [u8; 64],
    },
}

impl TxSignature {
    /// The scheme.
    pub fn scheme(&self) -> AccountScheme {
        match self {
            TxSignature::Secp256k1(_) => AccountScheme::Secp256k1,
            TxSignature::Sm2 { .. } => AccountScheme::Sm2,
        }
    }
}

impl From<AccountSignature> for TxSignature {
    fn from(s: AccountSignature) -> Self {
        match s {
            AccountSignature::Secp256k1 { sig } => TxSignature::Secp256k1(sig),
            AccountSignature::Sm2 { public_key, sig } => TxSignature::Sm2 { public_key, sig },
        }
    }
}

impl From<&TxSignature> for AccountSignature {
    fn from(s: &TxSignature) -> Self {
        match s {
            TxSignature::Secp256k1(sig) => AccountSignature::Secp256k1 { sig: *sig },
            TxSignature::Sm2 { public_key, sig } => AccountSignature::Sm2 { public_key: *public_key, sig: *sig },
        }
    }
}

impl Serialize for TxSignature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(&AccountSignature::from(self), s)
    }
}

/// Schema of [`TxSignature`]'s JSON form (that of `AccountSignature`, defined in hechain-crypto).
#[cfg(feature = "openapi")]
#[derive(Serialize, utoipa::ToSchema)]
#[serde(tag = "scheme", rename_all = "lowercase")]
#[allow(dead_code)]
enum TxSignatureJson {
    /// `r || s || v` (65 bytes).
    Secp256k1 {
        #[schema(value_type = String, pattern = "^0x[0-9a-fA-F]{130}$")]
        sig: String,
    },
    /// SEC1 compressed public key (33 bytes) and `r || s` (64 bytes).
    Sm2 {
        #[schema(value_type = String, pattern = "^0x[0-9a-fA-F]{66}$")]
        public_key: String,
        #[schema(value_type = String, pattern = "^0x[0-9a-fA-F]{128}$")]
        sig: String,
    },
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TxSignature {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <TxSignatureJson as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for TxSignature {}

impl<'de> Deserialize<'de> for TxSignature {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <AccountSignature as Deserialize>::deserialize(d).map(TxSignature::from)
    }
}

/// A transaction with its signature: the unit clients submit and blocks carry.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignedTransaction {
    /// The signed body.
    pub tx: Transaction,
    /// The sender's signature over [`Transaction::signing_message`].
    pub signature: TxSignature,
}

impl Codec for SignedTransaction {}

impl SignedTransaction {
    /// Transaction hash: the suite hash of the canonical encoding (signature included).
    pub fn hash(&self, suite: Suite) -> H256 {
        H256(suite.hash(&self.encode()))
    }

    /// Verifies the signature, that its scheme is the one the chain's suite
    /// uses, and that it was made by `tx.sender`.
    pub fn verify(&self, suite: Suite) -> Result<(), TypesError> {
        if self.signature.scheme() != suite.account_scheme() {
            return Err(TypesError::BadSignature(format!(
                "{} signature on a {} chain (expected {})",
                self.signature.scheme(),
                suite,
                suite.account_scheme()
            )));
        }
        let signer =
            hechain_crypto::recover_signer(&self.tx.signing_message(), &AccountSignature::from(&self.signature))
                .map_err(|e| TypesError::BadSignature(e.to_string()))?;
        if Address(signer) != self.tx.sender {
            return Err(TypesError::BadSignature(format!(
                "signed by {} but sender is {}",
                Address(signer),
                self.tx.sender
            )));
        }
        Ok(())
    }
}
