//! SM4 (GB/T 32907-2016) for encryption at rest, plus the AES-128-CTR used by keystores.

use ctr::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit, KeyIvInit, StreamCipher};

type Sm4Ctr = ctr::Ctr128BE<sm4::Sm4>;
type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// SM4-CTR: XOR `data` in place with the SM4 keystream for `key` and the 16-byte initial counter
/// block `iv` (a 128-bit big-endian counter, as in NIST SP 800-38A). Encryption and decryption are
/// the same operation. Never reuse a (key, iv) pair for two different plaintexts.
pub fn sm4_ctr_apply(key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
    let mut c = Sm4Ctr::new(key.into(), iv.into());
    c.apply_keystream(data);
}

/// Encrypt one 16-byte block with raw SM4 (no mode); for test vectors and building modes.
pub fn sm4_encrypt_block(key: &[u8; 16], block: &mut [u8; 16]) {
    let c = sm4::Sm4::new(key.into());
    c.encrypt_block(block.into());
}

/// Decrypt one 16-byte block with raw SM4 (no mode).
pub fn sm4_decrypt_block(key: &[u8; 16], block: &mut [u8; 16]) {
    let c = sm4::Sm4::new(key.into());
    c.decrypt_block(block.into());
}

/// AES-128-CTR with a 128-bit big-endian counter (the Web3 Secret Storage cipher).
pub(crate) fn aes128_ctr_apply(key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
    let mut c = Aes128Ctr::new(key.into(), iv.into());
    c.apply_keystream(data);
}
