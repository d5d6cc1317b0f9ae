//! Passphrase-encrypted key files.
//!
//! Secp256k1 keys are written in exactly the Ethereum
//! [Web3 Secret Storage v3](https://ethereum.org/en/developers/docs/data-structures-and-encoding/web3-secret-storage/)
//! format, so MetaMask, geth and ethers can import them:
//!
//! ```json
//! {"address":"…","crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"…"},"ciphertext":"…",
//!  "kdf":"scrypt","kdfparams":{"dklen":32,"n":262144,"p":1,"r":8,"salt":"…"},"mac":"…"},
//!  "id":"<uuid v4>","version":3}
//! ```
//!
//! with `mac = keccak256(dk[16..32] || ciphertext)` and the AES key `dk[0..16]`.
//!
//! SM2 keys use the same layout with `"cipher":"sm4-ctr"`, `mac = sm3(dk[16..32] || ciphertext)`
//! and an extra top-level `"scheme":"sm2"`.
//!
//! [`decrypt`] accepts both the `scrypt` and the `pbkdf2` (`hmac-sha256`) KDFs. To keep a hostile
//! file from exhausting memory or CPU, scrypt is limited to 1 GiB of memory (`128·r·n`) and
//! `n·r·p ≤ 2^24`, and pbkdf2 to 10 000 000 iterations.

use crate::account::AccountScheme;
use crate::symmetric::aes128_ctr_apply;
use crate::{hexser, keccak256, rng, sm3, sm4_ctr_apply, AccountKey, CryptoError};
use serde::Serialize;
use serde_json::Value;
use sm2::elliptic_curve::subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// KDF cost used by [`encrypt`].
#[derive(Clone, Copy, Debug)]
pub enum KdfStrength {
    /// scrypt `n = 2^18, r = 8, p = 1` (the Ethereum default) — for real keys.
    Standard,
    /// scrypt `n = 2^12, r = 8, p = 1` (geth's "light") — for tests and development only.
    Light,
}

impl KdfStrength {
    pub(crate) fn log_n(self) -> u8 {
        match self {
            KdfStrength::Standard => 18,
            KdfStrength::Light => 12,
        }
    }
}

const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
const DKLEN: usize = 32;
pub(crate) const MAX_SCRYPT_MEMORY: u128 = 1 << 30;
pub(crate) const MAX_SCRYPT_WORK: u128 = 1 << 24;
const MAX_PBKDF2_ROUNDS: u32 = 10_000_000;
const MAX_DKLEN: usize = 1024;

// The file layout, for writing. Reading walks a `serde_json::Value` instead, so that every
// error can name the offending field.
#[derive(Serialize)]
struct KeyFile {
    address: String,
    crypto: CryptoSection,
    id: String,
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheme: Option<&'static str>,
}

#[derive(Serialize)]
struct CryptoSection {
    cipher: &'static str,
    cipherparams: CipherParams,
    ciphertext: String,
    kdf: &'static str,
    kdfparams: ScryptParams,
    mac: String,
}

#[derive(Serialize)]
struct CipherParams {
    iv: String,
}

#[derive(Serialize)]
struct ScryptParams {
    dklen: usize,
    n: u64,
    p: u32,
    r: u32,
    salt: String,
}

/// A JSON object being read, with its path for error messages.
struct Obj<'a> {
    map: &'a serde_json::Map<String, Value>,
    path: &'a str,
}

impl<'a> Obj<'a> {
    fn root(v: &'a Value) -> Result<Self, CryptoError> {
        match v {
            Value::Object(map) => Ok(Obj { map, path: "" }),
            _ => Err(CryptoError::Keystore("malformed keystore: the top level must be a JSON object".into())),
        }
    }

    fn field_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    fn opt(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn req(&self, name: &str) -> Result<&'a Value, CryptoError> {
        self.opt(name).ok_or_else(|| field_err(&self.field_path(name), "missing"))
    }

    fn obj(&self, name: &'a str, path: &'a str) -> Result<Obj<'a>, CryptoError> {
        match self.req(name)? {
            Value::Object(map) => Ok(Obj { map, path }),
            _ => Err(field_err(path, "must be an object")),
        }
    }

    fn str(&self, name: &str) -> Result<&'a str, CryptoError> {
        self.req(name)?.as_str().ok_or_else(|| field_err(&self.field_path(name), "must be a string"))
    }

    fn opt_str(&self, name: &str) -> Result<Option<&'a str>, CryptoError> {
        match self.opt(name) {
            None => Ok(None),
            Some(v) => v.as_str().map(Some).ok_or_else(|| field_err(&self.field_path(name), "must be a string")),
        }
    }

    fn u64(&self, name: &str) -> Result<u64, CryptoError> {
        self.req(name)?.as_u64().ok_or_else(|| field_err(&self.field_path(name), "must be a non-negative integer"))
    }

    fn u32(&self, name: &str) -> Result<u32, CryptoError> {
        let v = self.u64(name)?;
        u32::try_from(v).map_err(|_| field_err(&self.field_path(name), "value too large"))
    }

    fn hex(&self, name: &str) -> Result<Vec<u8>, CryptoError> {
        hexser::decode(self.str(name)?).map_err(|e| field_err(&self.field_path(name), e))
    }

    fn hex_fixed<const N: usize>(&self, name: &str) -> Result<[u8; N], CryptoError> {
        hexser::decode_fixed(self.str(name)?).map_err(|e| field_err(&self.field_path(name), e))
    }
}

fn field_err(field: &str, e: impl std::fmt::Display) -> CryptoError {
    CryptoError::Keystore(format!("field \"{field}\": {e}"))
}

fn cipher_name(scheme: AccountScheme) -> &'static str {
    match scheme {
        AccountScheme::Secp256k1 => "aes-128-ctr",
        AccountScheme::Sm2 => "sm4-ctr",
    }
}

fn apply_cipher(scheme: AccountScheme, key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
    match scheme {
        AccountScheme::Secp256k1 => aes128_ctr_apply(key, iv, data),
        AccountScheme::Sm2 => sm4_ctr_apply(key, iv, data),
    }
}

pub(crate) fn mac(scheme: AccountScheme, dk: &[u8], ciphertext: &[u8]) -> [u8; 32] {
    let mut body = Zeroizing::new(Vec::with_capacity(16 + ciphertext.len()));
    body.extend_from_slice(&dk[16..32]);
    body.extend_from_slice(ciphertext);
    match scheme {
        AccountScheme::Secp256k1 => keccak256(&body),
        AccountScheme::Sm2 => sm3(&body),
    }
}

pub(crate) fn cipher_key(dk: &[u8]) -> Zeroizing<[u8; 16]> {
    let mut k = Zeroizing::new([0u8; 16]);
    k.copy_from_slice(&dk[..16]);
    k
}

pub(crate) fn run_scrypt(
    passphrase: &str,
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
    dklen: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let params = scrypt::Params::new(log_n, r, p)
        .map_err(|e| field_err("crypto.kdfparams", format!("invalid scrypt parameters: {e}")))?;
    let mut dk = Zeroizing::new(vec![0u8; dklen]);
    scrypt::scrypt(passphrase.as_bytes(), salt, &params, &mut dk)
        .map_err(|e| field_err("crypto.kdfparams.dklen", e))?;
    Ok(dk)
}

/// Encrypt an account key into a keystore JSON string (see the [module docs](self)).
pub fn encrypt(key: &AccountKey, passphrase: &str, strength: KdfStrength) -> Result<String, CryptoError> {
    let scheme = key.scheme();
    let mut salt = [0u8; 32];
    rng::fill(&mut salt)?;
    let mut iv = [0u8; 16];
    rng::fill(&mut iv)?;
    let mut uuid_bytes = [0u8; 16];
    rng::fill(&mut uuid_bytes)?;
    let id = uuid::Builder::from_random_bytes(uuid_bytes).into_uuid();

    let log_n = strength.log_n();
    let dk = run_scrypt(passphrase, &salt, log_n, SCRYPT_R, SCRYPT_P, DKLEN)?;

    let mut ciphertext = key.secret_bytes();
    apply_cipher(scheme, &cipher_key(&dk), &iv, ciphertext.as_mut());
    let mac = mac(scheme, &dk, ciphertext.as_ref());

    let file = KeyFile {
        address: hex::encode(key.address()),
        crypto: CryptoSection {
            cipher: cipher_name(scheme),
            cipherparams: CipherParams { iv: hex::encode(iv) },
            ciphertext: hex::encode(ciphertext.as_ref()),
            kdf: "scrypt",
            kdfparams: ScryptParams {
                dklen: DKLEN,
                n: 1u64 << log_n,
                p: SCRYPT_P,
                r: SCRYPT_R,
                salt: hex::encode(salt),
            },
            mac: hex::encode(mac),
        },
        id: id.hyphenated().to_string(),
        version: 3,
        scheme: match scheme {
            AccountScheme::Secp256k1 => None,
            AccountScheme::Sm2 => Some(scheme.name()),
        },
    };
    serde_json::to_string(&file).map_err(|e| CryptoError::Keystore(e.to_string()))
}

fn derive_key(crypto: &Obj<'_>, passphrase: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let kdf = crypto.str("kdf")?;
    let params = crypto.obj("kdfparams", "crypto.kdfparams")?;
    match kdf.to_ascii_lowercase().as_str() {
        "scrypt" => {
            let dklen = dklen(&params)?;
            let n = params.u64("n")?;
            let r = params.u32("r")?;
            let p = params.u32("p")?;
            if n < 2 || !n.is_power_of_two() {
                return Err(field_err("crypto.kdfparams.n", format!("must be a power of two > 1, got {n}")));
            }
            if r == 0 || p == 0 {
                return Err(field_err("crypto.kdfparams", "r and p must be positive"));
            }
            let memory = 128 * u128::from(r) * u128::from(n);
            let work = u128::from(n) * u128::from(r) * u128::from(p);
            if memory > MAX_SCRYPT_MEMORY || work > MAX_SCRYPT_WORK {
                return Err(field_err(
                    "crypto.kdfparams",
                    format!("scrypt cost too high (n={n}, r={r}, p={p}); limits: 128·r·n ≤ 2^30, n·r·p ≤ 2^24"),
                ));
            }
            let salt = params.hex("salt")?;
            let log_n = n.trailing_zeros() as u8;
            run_scrypt(passphrase, &salt, log_n, r, p, dklen)
        }
        "pbkdf2" => {
            let dklen = dklen(&params)?;
            let prf = params.str("prf")?;
            if !prf.eq_ignore_ascii_case("hmac-sha256") {
                return Err(field_err(
                    "crypto.kdfparams.prf",
                    format!("unsupported PRF {prf:?}, expected \"hmac-sha256\""),
                ));
            }
            let c = params.u32("c")?;
            if c == 0 || c > MAX_PBKDF2_ROUNDS {
                return Err(field_err(
                    "crypto.kdfparams.c",
                    format!("iteration count must be in 1..={MAX_PBKDF2_ROUNDS}, got {c}"),
                ));
            }
            let salt = params.hex("salt")?;
            let mut dk = Zeroizing::new(vec![0u8; dklen]);
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), &salt, c, &mut dk);
            Ok(dk)
        }
        other => Err(field_err("crypto.kdf", format!("unsupported KDF {other:?}, expected \"scrypt\" or \"pbkdf2\""))),
    }
}

fn dklen(params: &Obj<'_>) -> Result<usize, CryptoError> {
    let dklen = params.u64("dklen")?;
    if (DKLEN as u64..=MAX_DKLEN as u64).contains(&dklen) {
        Ok(dklen as usize)
    } else {
        Err(field_err("crypto.kdfparams.dklen", format!("must be between {DKLEN} and {MAX_DKLEN}, got {dklen}")))
    }
}

/// Decrypt a keystore JSON string (see the [module docs](self)).
///
/// Errors: [`CryptoError::WrongPassphrase`] when the MAC does not match;
/// [`CryptoError::Keystore`] naming the offending field for malformed or unsupported files, and
/// when the file's `"address"` does not match the decrypted key.
pub fn decrypt(json: &str, passphrase: &str) -> Result<AccountKey, CryptoError> {
    let root: Value =
        serde_json::from_str(json).map_err(|e| CryptoError::Keystore(format!("malformed keystore JSON: {e}")))?;
    let file = Obj::root(&root)?;
    let version = file.u64("version")?;
    if version != 3 {
        return Err(field_err("version", format!("unsupported version {version}, expected 3")));
    }
    let scheme = match file.opt_str("scheme")? {
        None => AccountScheme::Secp256k1,
        Some(s) => s.parse().map_err(|e| field_err("scheme", e))?,
    };
    // Some wallets write "Crypto".
    let crypto_key = if file.opt("crypto").is_none() && file.opt("Crypto").is_some() { "Crypto" } else { "crypto" };
    let crypto = file.obj(crypto_key, "crypto")?;

    let cipher = crypto.str("cipher")?;
    let expected_cipher = cipher_name(scheme);
    if !cipher.eq_ignore_ascii_case(expected_cipher) {
        return Err(field_err(
            "crypto.cipher",
            format!("unsupported cipher {cipher:?} for {scheme} keys, expected {expected_cipher:?}"),
        ));
    }
    let iv: [u8; 16] = crypto.obj("cipherparams", "crypto.cipherparams")?.hex_fixed("iv")?;
    let ciphertext: [u8; 32] = crypto.hex_fixed("ciphertext")?;
    let expected_mac: [u8; 32] = crypto.hex_fixed("mac")?;
    let address: Option<[u8; 20]> = match file.opt_str("address")? {
        None => None,
        Some(a) => Some(hexser::decode_fixed(a).map_err(|e| field_err("address", e))?),
    };

    let dk = derive_key(&crypto, passphrase)?;
    let computed = mac(scheme, &dk, &ciphertext);
    if !bool::from(computed.ct_eq(&expected_mac)) {
        return Err(CryptoError::WrongPassphrase);
    }

    let mut secret = Zeroizing::new(ciphertext);
    apply_cipher(scheme, &cipher_key(&dk), &iv, secret.as_mut());
    let key = AccountKey::from_bytes(scheme, secret.as_ref())
        .map_err(|e| CryptoError::Keystore(format!("decrypted private key is invalid: {e}")))?;

    if address.is_some_and(|a| a != key.address()) {
        return Err(field_err("address", "does not match the decrypted key"));
    }
    Ok(key)
}
