//! OS randomness.

use crate::CryptoError;

/// Fill `buf` from the operating system's CSPRNG.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|e| CryptoError::Rng(e.to_string()))
}

/// A fresh random secret from the operating system's CSPRNG (client-side secrets such as an
/// HTLC's; never used by consensus code), wiped on drop.
pub fn random_secret() -> Result<zeroize::Zeroizing<[u8; 32]>, CryptoError> {
    bytes32()
}

/// 32 fresh random bytes, wiped on drop.
pub(crate) fn bytes32() -> Result<zeroize::Zeroizing<[u8; 32]>, CryptoError> {
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    fill(out.as_mut())?;
    Ok(out)
}
