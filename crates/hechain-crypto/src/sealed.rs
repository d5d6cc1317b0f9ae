//! Files sealed with SM4 under a passphrase: node keys, TLS keys and CA keys at rest (国密 storage
//! encryption). Any bytes can be sealed; the result is a small JSON document:
//!
//! ```json
//! {"hechain_sealed":1,"cipher":"sm4-ctr","kdf":"scrypt",
//!  "kdfparams":{"n":262144,"r":8,"p":1,"dklen":32,"salt":"…"},"iv":"…","ciphertext":"…","mac":"…"}
//! ```
//!
//! `dk = scrypt(passphrase, salt)`, the SM4 key is `dk[0..16]`, the content is SM4 in counter
//! mode under it, and `mac = sm3(dk[16..32] ‖ ciphertext)` (checked in constant time before
//! anything is decrypted), as in the SM2 keystore ([`crate::keystore`]). The scrypt limits of the
//! keystore apply, so a hostile file cannot exhaust memory or CPU.

use serde::{Deserialize, Serialize};
use sm2::elliptic_curve::subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::account::AccountScheme;
use crate::keystore::{self, KdfStrength};
use crate::{hexser, rng, sm4_ctr_apply, CryptoError};

const FORMAT: u32 = 1;
const R: u32 = 8;
const P: u32 = 1;
const DKLEN: usize = 32;
/// Largest sealed content (a key file is a few hundred bytes).
const MAX_CONTENT: usize = 1 << 20;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    hechain_sealed: u32,
    cipher: String,
    kdf: String,
    kdfparams: KdfParams,
    iv: String,
    ciphertext: String,
    mac: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfParams {
    n: u64,
    r: u32,
    p: u32,
    dklen: usize,
    salt: String,
}

fn bad(what: impl std::fmt::Display) -> CryptoError {
    CryptoError::Keystore(format!("sealed file: {what}"))
}

fn derive(passphrase: &str, salt: &[u8], n: u64, r: u32, p: u32) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if !n.is_power_of_two() || n < 2 {
        return Err(bad(format!("kdfparams.n must be a power of two, got {n}")));
    }
    let (mem, work) = (128u128 * r as u128 * n as u128, n as u128 * r as u128 * p as u128);
    if mem > keystore::MAX_SCRYPT_MEMORY || work > keystore::MAX_SCRYPT_WORK {
        return Err(bad("kdfparams exceed the limits (1 GiB of memory, n·r·p ≤ 2^24)"));
    }
    keystore::run_scrypt(passphrase, salt, n.trailing_zeros() as u8, r, p, DKLEN)
}

fn mac(dk: &[u8], ciphertext: &[u8]) -> [u8; 32] {
    keystore::mac(AccountScheme::Sm2, dk, ciphertext)
}

/// Seals `content` under `passphrase` (see the [module docs](self)).
pub fn seal(content: &[u8], passphrase: &str, strength: KdfStrength) -> Result<String, CryptoError> {
    if content.len() > MAX_CONTENT {
        return Err(bad(format!("content of {} bytes is over the {MAX_CONTENT}-byte limit", content.len())));
    }
    let mut salt = [0u8; 32];
    rng::fill(&mut salt)?;
    let mut iv = [0u8; 16];
    rng::fill(&mut iv)?;
    let n = 1u64 << strength.log_n();
    let dk = derive(passphrase, &salt, n, R, P)?;
    let key = keystore::cipher_key(&dk);
    let mut ciphertext = content.to_vec();
    sm4_ctr_apply(&key, &iv, &mut ciphertext);
    let file = Sealed {
        hechain_sealed: FORMAT,
        cipher: "sm4-ctr".into(),
        kdf: "scrypt".into(),
        kdfparams: KdfParams { n, r: R, p: P, dklen: DKLEN, salt: hex::encode(salt) },
        iv: hex::encode(iv),
        mac: hex::encode(mac(&dk, &ciphertext)),
        ciphertext: hex::encode(ciphertext),
    };
    serde_json::to_string(&file).map_err(bad)
}

/// Whether `text` is a sealed file (as opposed to a plain PEM or JSON key).
pub fn is_sealed(text: &str) -> bool {
    text.trim_start().starts_with('{') && text.contains("\"hechain_sealed\"")
}

/// Opens a sealed file. [`CryptoError::WrongPassphrase`] when the MAC does not match.
pub fn unseal(text: &str, passphrase: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let f: Sealed = serde_json::from_str(text).map_err(|e| bad(format!("malformed: {e}")))?;
    if f.hechain_sealed != FORMAT {
        return Err(bad(format!("format {} is not supported (expected {FORMAT})", f.hechain_sealed)));
    }
    if f.cipher != "sm4-ctr" || f.kdf != "scrypt" || f.kdfparams.dklen != DKLEN {
        return Err(bad("only sm4-ctr under scrypt with dklen 32 is supported"));
    }
    let hex = |name: &str, v: &str| hexser::decode(v).map_err(|e| bad(format!("{name}: {e}")));
    let salt = hex("kdfparams.salt", &f.kdfparams.salt)?;
    let iv: [u8; 16] = hex("iv", &f.iv)?.try_into().map_err(|_| bad("iv must be 16 bytes"))?;
    let expected: [u8; 32] = hex("mac", &f.mac)?.try_into().map_err(|_| bad("mac must be 32 bytes"))?;
    let ciphertext = hex("ciphertext", &f.ciphertext)?;
    if ciphertext.len() > MAX_CONTENT {
        return Err(bad("ciphertext over the size limit"));
    }
    let dk = derive(passphrase, &salt, f.kdfparams.n, f.kdfparams.r, f.kdfparams.p)?;
    if !bool::from(mac(&dk, &ciphertext).ct_eq(&expected)) {
        return Err(CryptoError::WrongPassphrase);
    }
    let key = keystore::cipher_key(&dk);
    let mut content = Zeroizing::new(ciphertext);
    sm4_ctr_apply(&key, &iv, &mut content);
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_wrong_passphrase_and_tampering() {
        let pem = b"-----BEGIN PRIVATE KEY-----\nMIGH...\n-----END PRIVATE KEY-----\n";
        let sealed = seal(pem, "correct horse", KdfStrength::Light).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!is_sealed(std::str::from_utf8(pem).unwrap()));
        assert!(!sealed.contains("BEGIN"), "the content must not show through");
        assert_eq!(&unseal(&sealed, "correct horse").unwrap()[..], pem);
        assert!(matches!(unseal(&sealed, "wrong"), Err(CryptoError::WrongPassphrase)));
        // One flipped ciphertext byte fails the MAC.
        let mut v: serde_json::Value = serde_json::from_str(&sealed).unwrap();
        let ct = v["ciphertext"].as_str().unwrap().to_string();
        let flipped = format!("{}{}", if &ct[..1] == "0" { "1" } else { "0" }, &ct[1..]);
        v["ciphertext"] = flipped.into();
        assert!(matches!(unseal(&v.to_string(), "correct horse"), Err(CryptoError::WrongPassphrase)));
        // A hostile KDF cost is refused before any work.
        v["kdfparams"]["n"] = serde_json::json!(1u64 << 40);
        assert!(matches!(unseal(&v.to_string(), "x"), Err(CryptoError::Keystore(m)) if m.contains("limits")));
    }
}
