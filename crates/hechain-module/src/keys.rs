//! Helpers of the modules' state key layouts. Keys are raw bytes (a module's prefix, then
//! fixed-width parts); the state tree indexes them by their suite hash.

/// `prefix ‖ parts…`.
pub fn join(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    k.extend_from_slice(prefix);
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

/// Decodes the id at the end of an index key (a big-endian `u64`).
pub fn trailing_id(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}
