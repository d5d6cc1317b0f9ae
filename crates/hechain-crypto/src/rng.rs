//! OS randomness.

use crate::CryptoError;

/// Fill `buf` from the operating system's CSPRNG.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|e| CryptoError::Rng(e.to_string()))
}

/// 32 fresh random bytes, wiped on drop.
pub(crate) fn bytes32() -> Result<zeroize::Zeroizing<[u8; 32]>, CryptoError> {
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    fill(out.as_mut())?;
    Ok(out)
}
