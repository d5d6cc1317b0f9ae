//! Ethereum-format transactions (legacy with EIP-155, EIP-2930, EIP-1559), as
//! wallets and Ethereum tools sign them, and [`ChainTx`]: the unit blocks
//! carry, either a native hechain transaction or an Ethereum one.
//!
//! An Ethereum transaction is kept as its exact EIP-2718 bytes (so its hash is
//! the one the wallet computed) plus the sender recovered from the signature.
//! The canonical (borsh) encoding stores both; [`EthTransaction::verify`]
//! recovers the signer again and compares, so a peer cannot claim a sender.

use alloy_consensus::{Transaction as _, TxEnvelope};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_eips::Typed2718;
use borsh::{BorshDeserialize, BorshSerialize};
use hechain_crypto::{AccountSignature, Suite};
use serde::{Deserialize, Serialize};

use crate::codec::Codec;
use crate::primitives::{hex_bytes, Address, H256};
use crate::tx::SignedTransaction;
use crate::TypesError;

pub use alloy_consensus::TxEnvelope as EthEnvelope;

/// Largest accepted Ethereum transaction encoding, in bytes (the chain's `max_tx_bytes` may be smaller).
pub const MAX_ETH_TX_BYTES: usize = 128 * 1024;

/// A signed Ethereum transaction and its verified (or claimed, until [`Self::verify`]) sender.
#[derive(Clone, Debug)]
pub struct EthTransaction {
    raw: Vec<u8>,
    envelope: TxEnvelope,
    sender: Address,
    hash: H256,
    /// The sender was recovered from the signature in this process (by [`Self::decode`]), so
    /// [`Self::verify`] has nothing left to check. Never encoded: a decoded copy from a peer
    /// only *claims* its sender.
    recovered: bool,
}

impl PartialEq for EthTransaction {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw && self.sender == other.sender
    }
}

impl Eq for EthTransaction {}

impl EthTransaction {
    /// Decodes EIP-2718 bytes (what `eth_sendRawTransaction` receives) and recovers the sender.
    pub fn decode(raw: &[u8]) -> Result<Self, TypesError> {
        let mut tx = Self::decode_unrecovered(raw.to_vec(), Address::ZERO)?;
        tx.sender = tx.recover_sender()?;
        tx.recovered = true;
        Ok(tx)
    }

    /// Decodes without recovering: `sender` is taken as claimed (checked later by [`Self::verify`]).
    fn decode_unrecovered(raw: Vec<u8>, sender: Address) -> Result<Self, TypesError> {
        if raw.len() > MAX_ETH_TX_BYTES {
            return Err(TypesError::Invalid(format!(
                "oversized data: transaction is {} bytes, the limit is {MAX_ETH_TX_BYTES}",
                raw.len()
            )));
        }
        let mut buf = raw.as_slice();
        let envelope = TxEnvelope::decode_2718(&mut buf)
            .map_err(|e| TypesError::Decode(format!("invalid Ethereum transaction: {e}")))?;
        if !buf.is_empty() {
            return Err(TypesError::Decode(format!(
                "invalid Ethereum transaction: {} trailing bytes after the transaction",
                buf.len()
            )));
        }
        match &envelope {
            TxEnvelope::Legacy(t) if t.tx().chain_id.is_none() => {
                return Err(TypesError::Invalid("only replay-protected (EIP-155) transactions allowed over RPC".into()))
            }
            TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_) => {}
            other => {
                return Err(TypesError::Invalid(format!(
                    "transaction type {} not supported (legacy, EIP-2930 and EIP-1559 are)",
                    other.ty()
                )))
            }
        }
        // The EIP-2718 hash is keccak of exactly these bytes; hashing them directly spares
        // alloy re-encoding the envelope.
        let hash = H256(hechain_crypto::keccak256(&raw));
        Ok(Self { raw, envelope, sender, hash, recovered: false })
    }

    fn recover_sender(&self) -> Result<Address, TypesError> {
        let (r, s, y_parity) = self.signature_rsv();
        let account_sig = AccountSignature::secp256k1_from_rsv(&r, &s, y_parity as u8);
        let prehash = self.envelope.signature_hash();
        hechain_crypto::recover_signer_prehash(&prehash.0, &account_sig)
            .map(Address)
            .map_err(|e| TypesError::BadSignature(format!("invalid sender: {e}")))
    }

    /// Recovers the signer and checks it is the sender this value carries (free when this
    /// value was made by [`Self::decode`], which recovered it).
    pub fn verify(&self) -> Result<(), TypesError> {
        if self.recovered {
            return Ok(());
        }
        let signer = self.recover_sender()?;
        if signer != self.sender {
            return Err(TypesError::BadSignature(format!("signed by {signer} but sender is {}", self.sender)));
        }
        Ok(())
    }

    /// The EIP-2718 bytes, exactly as signed.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The decoded envelope.
    pub fn envelope(&self) -> &TxEnvelope {
        &self.envelope
    }

    /// keccak256 of the EIP-2718 bytes (the hash wallets and explorers use).
    pub fn hash(&self) -> H256 {
        self.hash
    }

    /// The signer.
    pub fn sender(&self) -> Address {
        self.sender
    }

    /// Sender nonce.
    pub fn nonce(&self) -> u64 {
        self.envelope.nonce()
    }

    /// EIP-155 chain id (always present: unprotected transactions are refused).
    pub fn chain_id(&self) -> Option<u64> {
        self.envelope.chain_id()
    }

    /// Gas limit.
    pub fn gas_limit(&self) -> u64 {
        self.envelope.gas_limit()
    }

    /// Type byte: 0 legacy, 1 EIP-2930, 2 EIP-1559.
    pub fn tx_type(&self) -> u8 {
        self.envelope.ty()
    }

    /// Recipient, or `None` for contract creation.
    pub fn to(&self) -> Option<Address> {
        self.envelope.to().map(|a| Address(a.into_array()))
    }

    /// Value in the smallest unit (saturating at `u128::MAX`, more than can exist).
    pub fn value(&self) -> u128 {
        u128::try_from(self.envelope.value()).unwrap_or(u128::MAX)
    }

    /// Call data / init code.
    pub fn input(&self) -> &[u8] {
        self.envelope.input()
    }

    /// Most the sender pays per gas: `gasPrice` (legacy, 2930) or `maxFeePerGas` (1559).
    pub fn max_fee_per_gas(&self) -> u128 {
        self.envelope.max_fee_per_gas()
    }

    /// `maxPriorityFeePerGas` (1559 only).
    pub fn max_priority_fee_per_gas(&self) -> Option<u128> {
        self.envelope.max_priority_fee_per_gas()
    }

    /// Gas price actually paid at `base_fee`: legacy pays its price, 1559 pays
    /// `min(maxFee, baseFee + maxPriorityFee)`.
    pub fn effective_gas_price(&self, base_fee: u64) -> u128 {
        self.envelope.effective_gas_price(Some(base_fee))
    }

    /// Upper bound of what the transaction can take from the sender:
    /// `gasLimit × maxFeePerGas + value` (Ethereum's balance rule), saturating.
    pub fn max_cost(&self) -> u128 {
        (self.gas_limit() as u128).saturating_mul(self.max_fee_per_gas()).saturating_add(self.value())
    }

    /// Signature as `(r, s, y_parity)`.
    pub fn signature_rsv(&self) -> ([u8; 32], [u8; 32], bool) {
        let sig = self.envelope.signature();
        (sig.r().to_be_bytes::<32>(), sig.s().to_be_bytes::<32>(), sig.v())
    }

    /// Signs an unsigned Ethereum transaction (`TxLegacy`, `TxEip2930`, `TxEip1559`) with a
    /// secp256k1 account key, as a wallet would.
    pub fn sign<T>(tx: T, key: &hechain_crypto::AccountKey) -> Result<Self, TypesError>
    where
        T: alloy_consensus::SignableTransaction<alloy_primitives::Signature>,
        TxEnvelope: From<alloy_consensus::Signed<T>>,
    {
        let prehash = tx.signature_hash();
        let sig = match key.sign_prehash_secp256k1(&prehash.0) {
            Ok(AccountSignature::Secp256k1 { sig }) => sig,
            Ok(_) | Err(_) => {
                return Err(TypesError::Invalid("Ethereum transactions are signed with secp256k1 keys".into()))
            }
        };
        let signature = alloy_primitives::Signature::from_bytes_and_parity(&sig[..64], sig[64] == 1);
        Self::from_envelope(TxEnvelope::from(tx.into_signed(signature)))
    }

    /// Builds from an already signed envelope (used by the SDK and tests).
    pub fn from_envelope(envelope: TxEnvelope) -> Result<Self, TypesError> {
        Self::decode(&envelope.encoded_2718())
    }
}

impl BorshSerialize for EthTransaction {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        BorshSerialize::serialize(&self.raw, writer)?;
        BorshSerialize::serialize(&self.sender, writer)
    }
}

impl BorshDeserialize for EthTransaction {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let raw = Vec::<u8>::deserialize_reader(reader)?;
        let sender = Address::deserialize_reader(reader)?;
        Self::decode_unrecovered(raw, sender)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
    }
}

/// JSON form: the raw bytes and the sender.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct EthTxJson {
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    ethereum: Vec<u8>,
    from: Address,
}

impl Serialize for EthTransaction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        EthTxJson { ethereum: self.raw.clone(), from: self.sender }.serialize(s)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for EthTransaction {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <EthTxJson as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for EthTransaction {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <EthTxJson as utoipa::ToSchema>::schemas(schemas)
    }
}

impl<'de> Deserialize<'de> for EthTransaction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = EthTxJson::deserialize(d)?;
        Self::decode_unrecovered(j.ethereum, j.from).map_err(serde::de::Error::custom)
    }
}

/// A transaction as blocks carry it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ChainTx {
    /// A native hechain transaction (secp256k1 or SM2 per the suite).
    Native(SignedTransaction),
    /// An Ethereum transaction (always secp256k1 + keccak, on every suite).
    Ethereum(EthTransaction),
}

impl Codec for ChainTx {}

impl From<SignedTransaction> for ChainTx {
    fn from(t: SignedTransaction) -> Self {
        ChainTx::Native(t)
    }
}

impl From<EthTransaction> for ChainTx {
    fn from(t: EthTransaction) -> Self {
        ChainTx::Ethereum(t)
    }
}

impl ChainTx {
    /// Transaction hash: the suite hash of a native transaction's encoding, keccak256 of an
    /// Ethereum transaction's EIP-2718 bytes.
    pub fn hash(&self, suite: Suite) -> H256 {
        match self {
            ChainTx::Native(t) => t.hash(suite),
            ChainTx::Ethereum(t) => t.hash(),
        }
    }

    /// The account that signs and pays.
    pub fn sender(&self) -> Address {
        match self {
            ChainTx::Native(t) => t.tx.sender,
            ChainTx::Ethereum(t) => t.sender(),
        }
    }

    /// Sender nonce (native and Ethereum transactions share the account nonce).
    pub fn nonce(&self) -> u64 {
        match self {
            ChainTx::Native(t) => t.tx.nonce,
            ChainTx::Ethereum(t) => t.nonce(),
        }
    }

    /// Chain id the transaction is bound to.
    pub fn chain_id(&self) -> Option<u64> {
        match self {
            ChainTx::Native(t) => Some(t.tx.chain_id),
            ChainTx::Ethereum(t) => t.chain_id(),
        }
    }

    /// Gas the transaction may use, for the block gas limit. Native transactions count as
    /// [`NATIVE_TX_GAS`].
    pub fn gas_limit(&self) -> u64 {
        match self {
            ChainTx::Native(_) => NATIVE_TX_GAS,
            ChainTx::Ethereum(t) => t.gas_limit(),
        }
    }

    /// Verifies the signature: native ones against the suite's scheme, Ethereum ones by
    /// secp256k1 recovery.
    pub fn verify(&self, suite: Suite) -> Result<(), TypesError> {
        match self {
            ChainTx::Native(t) => t.verify(suite),
            ChainTx::Ethereum(t) => t.verify(),
        }
    }
}

pub use crate::governance::NATIVE_TX_GAS;

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_consensus::{SignableTransaction, TxEip1559, TxLegacy};
    use alloy_primitives::{Signature, TxKind, U256};
    use hechain_crypto::{AccountKey, AccountScheme};

    /// Signs without the checks of [`EthTransaction::sign`] (to build refused transactions).
    fn sign<T: SignableTransaction<Signature>>(tx: T, key: &AccountKey) -> TxEnvelope
    where
        TxEnvelope: From<alloy_consensus::Signed<T>>,
    {
        let hash = tx.signature_hash();
        let AccountSignature::Secp256k1 { sig } = key.sign_prehash_secp256k1(&hash.0).unwrap() else {
            panic!("secp256k1 key")
        };
        let signature = Signature::from_bytes_and_parity(&sig[..64], sig[64] == 1);
        TxEnvelope::from(tx.into_signed(signature))
    }

    fn eip1559(chain_id: u64, nonce: u64) -> TxEip1559 {
        TxEip1559 {
            chain_id,
            nonce,
            gas_limit: 50_000,
            max_fee_per_gas: 2_000,
            max_priority_fee_per_gas: 1_000,
            to: TxKind::Call(alloy_primitives::Address::repeat_byte(7)),
            value: U256::from(5u64),
            access_list: Default::default(),
            input: vec![1, 2, 3].into(),
        }
    }

    #[test]
    fn decode_recovers_sender_and_hash() {
        let key = AccountKey::generate(AccountScheme::Secp256k1);
        let env = EthTransaction::sign(eip1559(77, 3), &key).unwrap().envelope().clone();
        assert_eq!(env, sign(eip1559(77, 3), &key));
        let raw = env.encoded_2718();
        let tx = EthTransaction::decode(&raw).unwrap();
        assert_eq!(tx.sender(), Address(key.address()));
        assert_eq!(tx.hash().0, hechain_crypto::keccak256(&raw));
        assert_eq!((tx.nonce(), tx.chain_id(), tx.gas_limit(), tx.tx_type()), (3, Some(77), 50_000, 2));
        assert_eq!(tx.value(), 5);
        assert_eq!(tx.max_cost(), 50_000 * 2_000 + 5);
        assert_eq!(tx.effective_gas_price(500), 1_500);
        tx.verify().unwrap();
    }

    #[test]
    fn borsh_round_trip_and_forged_sender() {
        let key = AccountKey::generate(AccountScheme::Secp256k1);
        let tx = EthTransaction::decode(&sign(eip1559(1, 0), &key).encoded_2718()).unwrap();
        let chain = ChainTx::from(tx.clone());
        let bytes = chain.encode();
        let back = ChainTx::decode(&bytes).unwrap();
        assert_eq!(back, chain);
        back.verify(Suite::Standard).unwrap();
        // A peer claiming another sender is caught by verify.
        let mut forged = borsh::to_vec(&tx.raw().to_vec()).unwrap();
        forged.extend_from_slice(&[9u8; 20]);
        let forged = EthTransaction::try_from_slice(&forged).unwrap();
        assert!(forged.verify().unwrap_err().to_string().contains("sender"));
        // JSON round trip.
        let json = serde_json::to_string(&chain).unwrap();
        assert_eq!(serde_json::from_str::<ChainTx>(&json).unwrap(), chain);
    }

    #[test]
    fn refuses_unprotected_garbage_and_trailing_bytes() {
        let key = AccountKey::generate(AccountScheme::Secp256k1);
        let legacy = TxLegacy {
            chain_id: None,
            nonce: 0,
            gas_price: 1,
            gas_limit: 21_000,
            to: TxKind::Create,
            value: U256::ZERO,
            input: Default::default(),
        };
        let err = EthTransaction::decode(&sign(legacy.clone(), &key).encoded_2718()).unwrap_err();
        assert!(err.to_string().contains("EIP-155"), "{err}");
        let protected = TxLegacy { chain_id: Some(5), ..legacy };
        let ok = EthTransaction::decode(&sign(protected, &key).encoded_2718()).unwrap();
        assert_eq!((ok.chain_id(), ok.to(), ok.tx_type()), (Some(5), None, 0));
        assert!(EthTransaction::decode(&[0x02, 0xc0]).is_err());
        assert!(EthTransaction::decode(&[]).is_err());
        let mut trailing = ok.raw().to_vec();
        trailing.push(0);
        assert!(EthTransaction::decode(&trailing).unwrap_err().to_string().contains("trailing"));
    }
}
