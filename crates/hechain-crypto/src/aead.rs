//! Authenticated encryption of the chain's suite: AES-256-GCM on `standard` chains, SM4-GCM
//! (GB/T 32907 in Galois/Counter mode, as in RFC 8998) on `gm` chains. Used for secrets that
//! travel on chain or rest on disk sealed to a key (amount openings sealed to a view key, private
//! data at rest).
//!
//! Both come from RustCrypto's `aes-gcm` (its GCM is generic over a 128-bit block cipher; SM4
//! is RustCrypto's `sm4`).

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};

use crate::{CryptoError, Suite};

/// SM4 in GCM with a 96-bit nonce.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The SM4 key: the first 16 bytes.
fn sm4_key(key: &[u8; 32]) -> aes_gcm::Key<Sm4Gcm> {
    let mut k = [0u8; 16];
    k.copy_from_slice(&key[..16]);
    k.into()
}

/// Bytes the tag adds to a plaintext.
pub const AEAD_TAG_LEN: usize = 16;

/// Encrypts `plaintext` under `key` with `nonce`, authenticating `aad` too: AES-256-GCM
/// (`standard`) or SM4-GCM with the first 16 bytes of `key` (`gm`). A (key, nonce) pair must
/// never encrypt two messages. Returns ciphertext ‖ 16-byte tag.
pub fn seal(suite: Suite, key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let nonce = Nonce::<U12>::from(*nonce);
    let payload = Payload { msg: plaintext, aad };
    let out = match suite {
        Suite::Standard => Aes256Gcm::new(key.into()).encrypt(&nonce, payload),
        Suite::Gm => Sm4Gcm::new(&sm4_key(key)).encrypt(&nonce, payload),
    };
    // Encryption fails only for plaintexts beyond GCM's 64 GiB bound.
    out.unwrap_or_default()
}

/// Decrypts what [`seal`] wrote; a wrong key, nonce, `aad` or an altered byte is
/// [`CryptoError::Decryption`].
pub fn open(suite: Suite, key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let nonce = Nonce::<U12>::from(*nonce);
    let payload = Payload { msg: sealed, aad };
    match suite {
        Suite::Standard => Aes256Gcm::new(key.into()).decrypt(&nonce, payload),
        Suite::Gm => Sm4Gcm::new(&sm4_key(key)).decrypt(&nonce, payload),
    }
    .map_err(|_| CryptoError::Decryption)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST GCM test vector (AES-256, 96-bit IV, test case 16 of McGrew & Viega's GCM spec).
    #[test]
    fn aes256_gcm_vector() {
        let key: [u8; 32] = hex::decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
            .unwrap()
            .try_into()
            .unwrap();
        let iv: [u8; 12] = hex::decode("cafebabefacedbaddecaf888").unwrap().try_into().unwrap();
        let pt = hex::decode("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39").unwrap();
        let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap();
        let out = seal(Suite::Standard, &key, &iv, &aad, &pt);
        assert_eq!(
            hex::encode(&out),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662\
             76fc6ece0f4e1768cddf8853bb2d551b"
        );
        assert_eq!(open(Suite::Standard, &key, &iv, &aad, &out).unwrap(), pt);
    }

    /// RFC 8998 appendix A.1: SM4-GCM.
    #[test]
    fn sm4_gcm_vector() {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(&hex::decode("0123456789abcdeffedcba9876543210").unwrap());
        let iv: [u8; 12] = hex::decode("00001234567800000000abcd").unwrap().try_into().unwrap();
        let pt = hex::decode(
            "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccddddddddddddddddeeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
        )
        .unwrap();
        let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap();
        let out = seal(Suite::Gm, &key, &iv, &aad, &pt);
        assert_eq!(
            hex::encode(&out),
            "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d\
             83de3541e4c2b58177e065a9bf7b62ec"
        );
        assert_eq!(open(Suite::Gm, &key, &iv, &aad, &out).unwrap(), pt);
    }

    #[test]
    fn altered_byte_or_aad_is_refused() {
        for suite in &Suite::ALL {
            let key = [7u8; 32];
            let mut out = seal(*suite, &key, &[1; 12], b"aad", b"forty bytes of an amount opening.......");
            assert!(open(*suite, &key, &[1; 12], b"other", &out).is_err());
            out[3] ^= 1;
            assert!(matches!(open(*suite, &key, &[1; 12], b"aad", &out), Err(CryptoError::Decryption)));
        }
    }
}
