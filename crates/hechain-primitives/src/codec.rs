//! The canonical, versioned binary encoding of every consensus object.
//!
//! Layout: one version byte ([`ENCODING_VERSION`]) followed by the
//! [borsh](https://borsh.io) encoding of the value. Borsh is deterministic
//! (one byte string per value: little-endian integers, length-prefixed
//! sequences, enum tag bytes) and its decoder rejects trailing bytes, so
//! `decode(encode(x)) == x` and every value has exactly one encoding, which
//! is what hashes and signatures are computed over.
//!
//! Evolving a type: add enum variants at the end (old data keeps decoding);
//! anything else bumps [`ENCODING_VERSION`] and adds a decoding branch.

use borsh::{BorshDeserialize, BorshSerialize};

use crate::TypesError;

/// Current encoding version byte.
pub const ENCODING_VERSION: u8 = 1;

/// Largest input [`Codec::decode`] accepts (64 MiB): bounds allocations on hostile input.
pub const MAX_DECODE_LEN: usize = 64 << 20;

/// Canonical encoding for consensus types.
pub trait Codec: BorshSerialize + BorshDeserialize + Sized {
    /// Version byte followed by the borsh bytes.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.push(ENCODING_VERSION);
        // Writing into a Vec cannot fail.
        let _ = borsh::to_writer(&mut out, self);
        out
    }

    /// Decodes bytes produced by [`Codec::encode`]; never panics.
    fn decode(bytes: &[u8]) -> Result<Self, TypesError> {
        if bytes.len() > MAX_DECODE_LEN {
            return Err(TypesError::Decode(format!(
                "input of {} bytes exceeds the {} byte limit",
                bytes.len(),
                MAX_DECODE_LEN
            )));
        }
        match bytes.split_first() {
            None => Err(TypesError::Decode("empty input".into())),
            Some((&ENCODING_VERSION, rest)) => borsh::from_slice(rest).map_err(|e| TypesError::Decode(e.to_string())),
            Some((v, _)) => Err(TypesError::Decode(format!(
                "unsupported encoding version {v} (this node understands {ENCODING_VERSION})"
            ))),
        }
    }
}
