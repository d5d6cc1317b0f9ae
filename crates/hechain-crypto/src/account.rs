//! Account (transaction) keys, signatures and addresses.

use crate::{hexser, keccak256, rng, sm3, Addr20, CryptoError, Hash32};
use secp256k1::{
    ecdsa::{RecoverableSignature, RecoveryId},
    Message, PublicKey as K1PublicKey, SecretKey as K1SecretKey,
};
use sm2::dsa::{
    signature::{RandomizedSigner, Signer, Verifier},
    Signature as Sm2Signature, SigningKey as Sm2SigningKey, VerifyingKey as Sm2VerifyingKey,
};
use sm2::elliptic_curve::sec1::ToSec1Point;
use std::{fmt, str::FromStr};
use zeroize::Zeroizing;

/// The default SM2 distinguishing identifier (GB/T 35276-2017, GM/T 0009-2012): the ASCII
/// string `1234567812345678`. It enters the `Z_A` digest of every SM2 signature in this crate.
pub const SM2_DEFAULT_ID: &str = "1234567812345678";

/// `n / 2` for secp256k1 (big-endian), the largest allowed `s` (EIP-2 low-S rule).
const SECP256K1_HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e,
    0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// Account (transaction) signature schemes.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AccountScheme {
    /// ECDSA on secp256k1 over keccak256, recoverable (Ethereum compatible).
    Secp256k1,
    /// SM2 (GB/T 32918) with SM3 and the default distinguishing ID.
    Sm2,
}

impl AccountScheme {
    /// All schemes, in declaration order.
    pub const ALL: [AccountScheme; 2] = [AccountScheme::Secp256k1, AccountScheme::Sm2];

    /// The lowercase name: `"secp256k1"` or `"sm2"`.
    pub fn name(self) -> &'static str {
        match self {
            AccountScheme::Secp256k1 => "secp256k1",
            AccountScheme::Sm2 => "sm2",
        }
    }
}

impl fmt::Display for AccountScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AccountScheme {
    type Err = CryptoError;

    /// Parses `"secp256k1"` or `"sm2"` (ASCII case-insensitive, surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        AccountScheme::ALL.into_iter().find(|scheme| scheme.name().eq_ignore_ascii_case(t)).ok_or_else(|| {
            CryptoError::UnsupportedScheme(format!("unknown account scheme {s:?}; valid values: secp256k1, sm2"))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// SM2 helpers shared with node keys.

/// Parse a 32-byte SM2 private key, requiring `1 <= d <= n - 2` (GB/T 32918.1: `d = n - 1` has no
/// `(1 + d)^-1` and could not sign).
pub(crate) fn sm2_signing_key(secret: &[u8]) -> Result<Sm2SigningKey, CryptoError> {
    if secret.len() != 32 {
        return Err(CryptoError::InvalidKey(format!("SM2 private key must be 32 bytes, got {}", secret.len())));
    }
    let d = sm2::NonZeroScalar::try_from(secret)
        .map_err(|_| CryptoError::InvalidKey("SM2 private key must be nonzero and below the group order".into()))?;
    let d_plus_one = *d.as_ref() + sm2::Scalar::ONE;
    if bool::from(d_plus_one.is_zero()) {
        return Err(CryptoError::InvalidKey("SM2 private key n-1 is not allowed".into()));
    }
    Sm2SigningKey::from_nonzero_scalar(SM2_DEFAULT_ID, d)
        .map_err(|_| CryptoError::InvalidKey("SM2 key setup failed".into()))
}

/// A random SM2 signing key from OS randomness.
pub(crate) fn sm2_generate() -> Result<Sm2SigningKey, CryptoError> {
    loop {
        let candidate = rng::bytes32()?;
        if let Ok(sk) = sm2_signing_key(candidate.as_ref()) {
            return Ok(sk);
        }
    }
}

/// SEC1 compressed encoding (33 bytes) of an SM2 verifying key.
pub(crate) fn sm2_compressed(vk: &Sm2VerifyingKey) -> [u8; 33] {
    let point = vk.to_sec1_point(true);
    let mut out = [0u8; 33];
    out.copy_from_slice(point.as_bytes());
    out
}

/// Uncompressed `X || Y` (64 bytes, no 0x04) of an SM2 public key.
fn sm2_xy(pk: &sm2::PublicKey) -> [u8; 64] {
    let point = pk.to_sec1_point(false);
    let mut out = [0u8; 64];
    out.copy_from_slice(&point.as_bytes()[1..]);
    out
}

/// SM2 signature over `msg` with the default ID (`e = SM3(Z_A || msg)`), as `r || s`.
pub(crate) fn sm2_sign(sk: &Sm2SigningKey, msg: &[u8]) -> [u8; 64] {
    // Deterministic nonce (RFC 6979 style, with SM3). It can only fail with negligible
    // probability (r = 0 or r + k = n); then retry with fresh randomness mixed into the nonce.
    let sig: Sm2Signature = match sk.try_sign(msg) {
        Ok(sig) => sig,
        Err(_) => loop {
            let mut rng = getrandom::SysRng;
            if let Ok(sig) = sk.try_sign_with_rng(&mut rng, msg) {
                break sig;
            }
        },
    };
    let mut out = [0u8; 64];
    out.copy_from_slice(&sig.to_bytes());
    out
}

/// Verify an SM2 signature (`r || s`) with the default ID against a SEC1 public key.
/// Returns the parsed public key.
pub(crate) fn sm2_verify(pubkey_sec1: &[u8], msg: &[u8], sig: &[u8; 64]) -> Result<sm2::PublicKey, CryptoError> {
    let pk = sm2::PublicKey::from_sec1_bytes(pubkey_sec1)
        .map_err(|_| CryptoError::InvalidKey("not a valid SM2 public key point".into()))?;
    let vk = Sm2VerifyingKey::new(SM2_DEFAULT_ID, pk)
        .map_err(|_| CryptoError::InvalidKey("SM2 Z_A computation failed".into()))?;
    let sig = Sm2Signature::from_slice(sig)
        .map_err(|_| CryptoError::InvalidSignature("SM2 r and s must be in [1, n-1]".into()))?;
    vk.verify(msg, &sig).map_err(|_| CryptoError::SignatureMismatch)?;
    Ok(pk)
}

// ---------------------------------------------------------------------------------------------
// Addresses.

fn k1_address(pk: &K1PublicKey) -> Addr20 {
    let uncompressed = pk.serialize_uncompressed();
    tail20(&keccak256(&uncompressed[1..]))
}

fn sm2_address(pk: &sm2::PublicKey) -> Addr20 {
    tail20(&sm3(&sm2_xy(pk)))
}

fn tail20(h: &Hash32) -> Addr20 {
    let mut a = [0u8; 20];
    a.copy_from_slice(&h[12..]);
    a
}

/// Derive an account address from a SEC1 public key (33-byte compressed or 65-byte uncompressed;
/// a raw 64-byte `X || Y` is accepted too). The point is validated on the scheme's curve.
///
/// * Secp256k1: `keccak256(X || Y)[12..]` (Ethereum).
/// * Sm2: `sm3(X || Y)[12..]` (FISCO BCOS gm).
pub fn address_from_sec1_pubkey(scheme: AccountScheme, sec1: &[u8]) -> Result<Addr20, CryptoError> {
    let mut buf = [0u8; 65];
    let sec1 = if sec1.len() == 64 {
        buf[0] = 0x04;
        buf[1..].copy_from_slice(sec1);
        &buf[..]
    } else {
        sec1
    };
    match scheme {
        AccountScheme::Secp256k1 => {
            let pk = K1PublicKey::from_slice(sec1)
                .map_err(|_| CryptoError::InvalidKey("not a valid secp256k1 SEC1 public key".into()))?;
            Ok(k1_address(&pk))
        }
        AccountScheme::Sm2 => {
            let pk = sm2::PublicKey::from_sec1_bytes(sec1)
                .map_err(|_| CryptoError::InvalidKey("not a valid SM2 SEC1 public key".into()))?;
            Ok(sm2_address(&pk))
        }
    }
}

/// EIP-55 mixed-case checksum encoding, `0x`-prefixed.
pub fn to_checksum_address(addr: &Addr20) -> String {
    let lower = hex::encode(addr);
    let hash = keccak256(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
        if c.is_ascii_alphabetic() && nibble >= 8 {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Parse a 20-byte address (`0x` optional). All-lowercase or all-uppercase hex is accepted as is;
/// mixed case must be a valid EIP-55 checksum.
pub fn parse_address(s: &str) -> Result<Addr20, CryptoError> {
    let digits = hexser::strip_prefix(s.trim());
    let addr: Addr20 = hexser::decode_fixed(digits).map_err(|e| CryptoError::InvalidAddress(format!("{s:?}: {e}")))?;
    let has_lower = digits.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = digits.chars().any(|c| c.is_ascii_uppercase());
    if has_lower && has_upper && to_checksum_address(&addr)[2..] != *digits {
        return Err(CryptoError::InvalidAddress(format!("{s:?}: EIP-55 checksum mismatch")));
    }
    Ok(addr)
}

// ---------------------------------------------------------------------------------------------
// Keys.

#[derive(Clone)]
enum KeyInner {
    Secp256k1 { sk: K1SecretKey, pk: K1PublicKey },
    Sm2 { sk: Box<Sm2SigningKey>, public_key: [u8; 33] },
}

/// A private account key. `Debug` shows only the scheme and address, never the secret.
#[derive(Clone)]
pub struct AccountKey {
    inner: KeyInner,
    address: Addr20,
}

impl Drop for AccountKey {
    fn drop(&mut self) {
        // The SM2 signing key type offers no way to wipe its scalar; secp256k1's does.
        if let KeyInner::Secp256k1 { sk, .. } = &mut self.inner {
            sk.non_secure_erase();
        }
    }
}

impl fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountKey")
            .field("scheme", &self.scheme())
            .field("address", &to_checksum_address(&self.address))
            .finish_non_exhaustive()
    }
}

impl AccountKey {
    /// A new random key from OS randomness.
    ///
    /// # Panics
    /// If the operating system's random number generator fails (see [`Self::try_generate`]).
    pub fn generate(scheme: AccountScheme) -> Self {
        match Self::try_generate(scheme) {
            Ok(k) => k,
            Err(e) => panic!("AccountKey::generate: {e}"),
        }
    }

    /// Like [`Self::generate`], but reports an OS RNG failure as an error.
    pub fn try_generate(scheme: AccountScheme) -> Result<Self, CryptoError> {
        match scheme {
            AccountScheme::Secp256k1 => loop {
                let candidate = rng::bytes32()?;
                if let Ok(k) = Self::from_bytes(scheme, candidate.as_ref()) {
                    return Ok(k);
                }
            },
            AccountScheme::Sm2 => Ok(Self::from_sm2(sm2_generate()?)),
        }
    }

    fn from_sm2(sk: Sm2SigningKey) -> Self {
        let vk = sk.verifying_key();
        let public_key = sm2_compressed(vk);
        let address = sm2_address(&sm2::PublicKey::from(vk));
        AccountKey { inner: KeyInner::Sm2 { sk: Box::new(sk), public_key }, address }
    }

    /// A key from its 32-byte big-endian secret scalar, which must be nonzero and below the group
    /// order (for SM2 also not `n - 1`).
    pub fn from_bytes(scheme: AccountScheme, secret: &[u8]) -> Result<Self, CryptoError> {
        match scheme {
            AccountScheme::Secp256k1 => {
                let bytes: [u8; 32] = secret.try_into().map_err(|_| {
                    CryptoError::InvalidKey(format!("secp256k1 private key must be 32 bytes, got {}", secret.len()))
                })?;
                let bytes = Zeroizing::new(bytes);
                let sk = K1SecretKey::from_secret_bytes(*bytes).map_err(|_| {
                    CryptoError::InvalidKey("secp256k1 private key must be nonzero and below the group order".into())
                })?;
                let pk = K1PublicKey::from_secret_key(&sk);
                Ok(AccountKey { address: k1_address(&pk), inner: KeyInner::Secp256k1 { sk, pk } })
            }
            AccountScheme::Sm2 => Ok(Self::from_sm2(sm2_signing_key(secret)?)),
        }
    }

    /// A key from 64 hex digits (`0x` prefix optional).
    pub fn from_hex(scheme: AccountScheme, s: &str) -> Result<Self, CryptoError> {
        let digits = hexser::strip_prefix(s.trim());
        if digits.len() != 64 {
            return Err(CryptoError::InvalidKey(format!("private key must be 64 hex digits, got {}", digits.len())));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        // The hex crate's error would quote a character of the secret; report generically.
        hex::decode_to_slice(digits, bytes.as_mut())
            .map_err(|_| CryptoError::InvalidKey("private key is not valid hex".into()))?;
        Self::from_bytes(scheme, bytes.as_ref())
    }

    /// A secret for one `purpose` derived from this key (e.g. the confidential-amounts view
    /// key): SHA-256 of a domain, the purpose's length and bytes, and the secret scalar. Nobody
    /// without the account key can compute it, and it reveals nothing about the account key.
    pub fn derive_secret(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        use sha2::Digest;
        let secret = self.secret_bytes();
        let mut h = sha2::Sha256::new();
        h.update(b"hechain/derive-secret/v1");
        h.update((purpose.len() as u64).to_be_bytes());
        h.update(purpose.as_bytes());
        h.update(secret.as_ref());
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&h.finalize());
        out
    }

    /// The 32-byte secret scalar (big-endian), wiped when the returned value is dropped.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        match &self.inner {
            KeyInner::Secp256k1 { sk, .. } => out.copy_from_slice(sk.as_secret_bytes()),
            KeyInner::Sm2 { sk, .. } => {
                let bytes = Zeroizing::new(sk.to_bytes());
                out.copy_from_slice(bytes.as_slice());
            }
        }
        out
    }

    /// The key's scheme.
    pub fn scheme(&self) -> AccountScheme {
        match self.inner {
            KeyInner::Secp256k1 { .. } => AccountScheme::Secp256k1,
            KeyInner::Sm2 { .. } => AccountScheme::Sm2,
        }
    }

    /// The account address (see [`address_from_sec1_pubkey`]).
    pub fn address(&self) -> Addr20 {
        self.address
    }

    /// The public key, SEC1 compressed (33 bytes).
    pub fn public_key_compressed(&self) -> [u8; 33] {
        match &self.inner {
            KeyInner::Secp256k1 { pk, .. } => pk.serialize(),
            KeyInner::Sm2 { public_key, .. } => *public_key,
        }
    }

    /// The public key, SEC1 uncompressed (65 bytes, starting with `0x04`).
    pub fn public_key_uncompressed(&self) -> [u8; 65] {
        match &self.inner {
            KeyInner::Secp256k1 { pk, .. } => pk.serialize_uncompressed(),
            KeyInner::Sm2 { sk, .. } => {
                let point = sk.verifying_key().to_sec1_point(false);
                let mut out = [0u8; 65];
                out.copy_from_slice(point.as_bytes());
                out
            }
        }
    }

    /// Sign a message.
    ///
    /// * Secp256k1: ECDSA (RFC 6979 nonce, low S) over `keccak256(msg)`, recoverable.
    /// * Sm2: SM2 with the default distinguishing ID `1234567812345678` (`Z_A` digest with SM3)
    ///   over `msg`; the signature carries the signer's compressed public key.
    pub fn sign(&self, msg: &[u8]) -> AccountSignature {
        match &self.inner {
            KeyInner::Secp256k1 { sk, .. } => k1_sign(sk, &keccak256(msg)),
            KeyInner::Sm2 { sk, public_key } => {
                AccountSignature::Sm2 { public_key: *public_key, sig: sm2_sign(sk, msg) }
            }
        }
    }

    /// Secp256k1 only (Ethereum transactions sign `keccak(rlp)` themselves): sign a 32-byte
    /// prehash directly. An SM2 key gives [`CryptoError::UnsupportedScheme`].
    pub fn sign_prehash_secp256k1(&self, prehash: &Hash32) -> Result<AccountSignature, CryptoError> {
        match &self.inner {
            KeyInner::Secp256k1 { sk, .. } => Ok(k1_sign(sk, prehash)),
            KeyInner::Sm2 { .. } => {
                Err(CryptoError::UnsupportedScheme("prehash signing is only defined for secp256k1 keys".into()))
            }
        }
    }
}

fn k1_sign(sk: &K1SecretKey, prehash: &Hash32) -> AccountSignature {
    let rs = RecoverableSignature::sign_ecdsa_recoverable(Message::from_digest(*prehash), sk);
    let (recid, compact) = rs.serialize_compact();
    let mut sig = [0u8; 65];
    sig[..64].copy_from_slice(&compact);
    sig[64] = recid.to_u8();
    AccountSignature::Secp256k1 { sig }
}

// ---------------------------------------------------------------------------------------------
// Signatures.

/// Signature carried by a transaction.
///
/// Serde form: an object tagged by `"scheme"`, with `0x`-hex byte strings:
/// `{"scheme":"secp256k1","sig":"0x…"}` or `{"scheme":"sm2","public_key":"0x…","sig":"0x…"}`.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, borsh::BorshSerialize, borsh::BorshDeserialize,
)]
#[serde(tag = "scheme", rename_all = "lowercase")]
pub enum AccountSignature {
    /// `r (32) || s (32) || recovery id v (1, value 0 or 1)`. `s` must be low (≤ n/2); high S is
    /// rejected on verification.
    Secp256k1 {
        /// `r || s || v`.
        #[serde(with = "crate::hexser")]
        sig: [u8; 65],
    },
    /// The signer's SEC1 compressed public key (33 bytes) and `r || s` (64 bytes); SM2 has no
    /// public key recovery.
    Sm2 {
        /// SEC1 compressed public key.
        #[serde(with = "crate::hexser")]
        public_key: [u8; 33],
        /// `r || s`.
        #[serde(with = "crate::hexser")]
        sig: [u8; 64],
    },
}

impl AccountSignature {
    /// The signature's scheme.
    pub fn scheme(&self) -> AccountScheme {
        match self {
            AccountSignature::Secp256k1 { .. } => AccountScheme::Secp256k1,
            AccountSignature::Sm2 { .. } => AccountScheme::Sm2,
        }
    }

    /// Build a secp256k1 signature from Ethereum-style `r`, `s` and recovery id `0`/`1`
    /// (for EIP-155 `v`, pass `v - 35 - 2 * chain_id`; for legacy `v`, pass `v - 27`).
    pub fn secp256k1_from_rsv(r: &[u8; 32], s: &[u8; 32], recovery_id: u8) -> Self {
        let mut sig = [0u8; 65];
        sig[..32].copy_from_slice(r);
        sig[32..64].copy_from_slice(s);
        sig[64] = recovery_id;
        AccountSignature::Secp256k1 { sig }
    }
}

fn k1_recover(prehash: &Hash32, sig: &[u8; 65]) -> Result<K1PublicKey, CryptoError> {
    let v = sig[64];
    if v > 1 {
        return Err(CryptoError::InvalidSignature(format!("secp256k1 recovery id must be 0 or 1, got {v}")));
    }
    // Big-endian byte strings of equal length compare like the numbers they encode.
    if sig[32..64] > SECP256K1_HALF_ORDER[..] {
        return Err(CryptoError::InvalidSignature("secp256k1 high S value (s > n/2) is not allowed".into()));
    }
    let rs = RecoverableSignature::from_compact(&sig[..64], RecoveryId::from_u8_masked(v))
        .map_err(|_| CryptoError::InvalidSignature("secp256k1 r or s out of range".into()))?;
    rs.recover_ecdsa(Message::from_digest(*prehash))
        .map_err(|_| CryptoError::InvalidSignature("secp256k1 public key recovery failed".into()))
}

/// Verify `sig` over `msg` (the same message convention as [`AccountKey::sign`]) and return the
/// signer's address.
///
/// Secp256k1 recovers the public key (any well-formed signature yields *some* address, so the
/// caller must compare it with the expected sender); SM2 verifies against the embedded public key
/// and fails with [`CryptoError::SignatureMismatch`] if the signature is wrong.
pub fn recover_signer(msg: &[u8], sig: &AccountSignature) -> Result<Addr20, CryptoError> {
    match sig {
        AccountSignature::Secp256k1 { sig } => Ok(k1_address(&k1_recover(&keccak256(msg), sig)?)),
        AccountSignature::Sm2 { public_key, sig } => {
            let pk = sm2_verify(public_key, msg, sig)?;
            Ok(sm2_address(&pk))
        }
    }
}

/// Secp256k1 over an explicit 32-byte prehash (Ethereum-style): recover and return the address.
/// An SM2 signature gives [`CryptoError::UnsupportedScheme`].
pub fn recover_signer_prehash(prehash: &Hash32, sig: &AccountSignature) -> Result<Addr20, CryptoError> {
    match sig {
        AccountSignature::Secp256k1 { sig } => Ok(k1_address(&k1_recover(prehash, sig)?)),
        AccountSignature::Sm2 { .. } => {
            Err(CryptoError::UnsupportedScheme("prehash recovery is only defined for secp256k1 signatures".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names() {
        for s in AccountScheme::ALL {
            assert_eq!(s.name().parse::<AccountScheme>().unwrap(), s);
            assert_eq!(s.to_string(), s.name());
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.name()));
        }
        let err = "ed25519".parse::<AccountScheme>().unwrap_err().to_string();
        assert!(err.contains("secp256k1") && err.contains("sm2"), "{err}");
    }

    #[test]
    fn half_order_constant_is_n_over_2() {
        // n = FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFE BAAEDCE6 AF48A03B BFD25E8C D0364141 (SEC 2).
        let n = hexser::decode_fixed::<32>("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").unwrap();
        // Shift right by one bit.
        let mut half = [0u8; 32];
        let mut carry = 0u8;
        for i in 0..32 {
            half[i] = (n[i] >> 1) | carry;
            carry = (n[i] & 1) << 7;
        }
        assert_eq!(half, SECP256K1_HALF_ORDER);
    }

    #[test]
    fn key_validation() {
        for scheme in AccountScheme::ALL {
            assert!(AccountKey::from_bytes(scheme, &[0u8; 32]).is_err());
            assert!(AccountKey::from_bytes(scheme, &[0xffu8; 32]).is_err());
            assert!(AccountKey::from_bytes(scheme, &[1u8; 31]).is_err());
            assert!(AccountKey::from_hex(scheme, "0x1234").is_err());
            assert!(AccountKey::from_hex(scheme, &"zz".repeat(32)).is_err());
            let k = AccountKey::generate(scheme);
            let k2 = AccountKey::from_hex(scheme, &hexser::encode(*k.secret_bytes())).unwrap();
            assert_eq!(k.address(), k2.address());
            assert_eq!(k.scheme(), scheme);
            let dbg = format!("{k:?}");
            assert!(!dbg.contains(&hex::encode(*k.secret_bytes())), "{dbg}");
            assert_eq!(address_from_sec1_pubkey(scheme, &k.public_key_compressed()).unwrap(), k.address());
            assert_eq!(address_from_sec1_pubkey(scheme, &k.public_key_uncompressed()).unwrap(), k.address());
            assert_eq!(address_from_sec1_pubkey(scheme, &k.public_key_uncompressed()[1..]).unwrap(), k.address());
        }
        // SM2: d = n - 1 is rejected, d = n - 2 accepted.
        let n_minus_1 = "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122";
        let n_minus_2 = "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54121";
        assert!(AccountKey::from_hex(AccountScheme::Sm2, n_minus_1).is_err());
        assert!(AccountKey::from_hex(AccountScheme::Sm2, n_minus_2).is_ok());
    }

    #[test]
    fn signature_serde_shape() {
        let k = AccountKey::generate(AccountScheme::Secp256k1);
        let sig = k.sign(b"hello");
        let v = serde_json::to_value(&sig).unwrap();
        assert_eq!(v["scheme"], "secp256k1");
        assert_eq!(v["sig"].as_str().unwrap().len(), 2 + 130);
        assert_eq!(serde_json::from_value::<AccountSignature>(v).unwrap(), sig);

        let k = AccountKey::generate(AccountScheme::Sm2);
        let sig = k.sign(b"hello");
        let j = serde_json::to_string(&sig).unwrap();
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["scheme"], "sm2");
        assert_eq!(v["public_key"].as_str().unwrap().len(), 2 + 66);
        assert_eq!(v["sig"].as_str().unwrap().len(), 2 + 128);
        assert_eq!(serde_json::from_str::<AccountSignature>(&j).unwrap(), sig);
        assert!(serde_json::from_str::<AccountSignature>(r#"{"scheme":"rsa","sig":"0x"}"#).is_err());

        let b = borsh::to_vec(&sig).unwrap();
        assert_eq!(borsh::from_slice::<AccountSignature>(&b).unwrap(), sig);
    }

    #[test]
    fn prehash_is_secp256k1_only() {
        let k = AccountKey::generate(AccountScheme::Sm2);
        assert!(matches!(k.sign_prehash_secp256k1(&[1; 32]), Err(CryptoError::UnsupportedScheme(_))));
        assert!(matches!(recover_signer_prehash(&[1; 32], &k.sign(b"x")), Err(CryptoError::UnsupportedScheme(_))));
    }

    #[test]
    fn parse_address_checks_checksum() {
        let a = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        let parsed = parse_address(a).unwrap();
        assert_eq!(to_checksum_address(&parsed), a);
        assert_eq!(parse_address(&a.to_lowercase()).unwrap(), parsed);
        assert!(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").is_err());
        assert!(parse_address("0x1234").is_err());
    }
}
