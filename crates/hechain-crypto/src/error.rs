//! The crate's error type.

/// Everything that can go wrong in this crate.
///
/// Messages never contain secret material.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// A private or public key is malformed or out of range.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A signature is malformed (wrong length, out-of-range scalar, high S, bad recovery id...).
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
    /// A well-formed signature that does not verify for the given message and key.
    #[error("signature does not match the message and public key")]
    SignatureMismatch,
    /// A keystore file is malformed or uses unsupported parameters.
    #[error("keystore: {0}")]
    Keystore(String),
    /// The keystore MAC did not match: the passphrase is wrong (or the file was altered).
    #[error("wrong passphrase (keystore MAC mismatch)")]
    WrongPassphrase,
    /// A scheme or suite name is unknown, or an operation is not defined for a scheme.
    #[error("unsupported scheme: {0}")]
    UnsupportedScheme(String),
    /// A hex string could not be decoded.
    #[error("invalid hex: {0}")]
    InvalidHex(String),
    /// Bytes of the wrong length were given.
    #[error("invalid length: expected {expected} bytes, got {actual}")]
    InvalidLength {
        /// The length that was required.
        expected: usize,
        /// The length that was given.
        actual: usize,
    },
    /// An address string is malformed or fails its EIP-55 checksum.
    #[error("invalid address: {0}")]
    InvalidAddress(String),
    /// One item of a batch verification failed.
    #[error("batch item {index}: {source}")]
    BatchItem {
        /// Position of the first failing item in the batch.
        index: usize,
        /// Why it failed.
        #[source]
        source: Box<CryptoError>,
    },
    /// The operating system's random number generator failed.
    #[error("OS random number generator failed: {0}")]
    Rng(String),
    /// Authenticated decryption failed: wrong key, or the ciphertext or its associated data was
    /// altered.
    #[error("decryption failed: wrong key, or the data was altered")]
    Decryption,
}
