//! `0x`-prefixed hex encoding for byte strings, and serde helpers built on it.
//!
//! [`encode`] always writes lowercase with a `0x` prefix; [`decode`] accepts either case,
//! with or without the prefix.
//!
//! # Serde usage
//!
//! [`serialize`] and [`deserialize`] work for any [`HexBytes`] type — `[u8; N]` and
//! `Vec<u8>` — so one attribute covers both:
//!
//! ```
//! #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
//! struct Blob {
//!     #[serde(with = "hechain_crypto::hexser")]
//!     hash: [u8; 4],
//!     #[serde(with = "hechain_crypto::hexser")]
//!     data: Vec<u8>,
//! }
//!
//! let b = Blob { hash: [0xde, 0xad, 0xbe, 0xef], data: vec![1, 2] };
//! let json = serde_json::to_string(&b).unwrap();
//! assert_eq!(json, r#"{"hash":"0xdeadbeef","data":"0x0102"}"#);
//! assert_eq!(serde_json::from_str::<Blob>(&json).unwrap(), b);
//! ```
//!
//! A fixed-size array rejects a string of the wrong length when deserializing.

use crate::CryptoError;
use serde::{de, Deserializer, Serializer};
use std::fmt;

/// Encode bytes as a lowercase, `0x`-prefixed hex string.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    let bytes = bytes.as_ref();
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    s.push_str(&hex::encode(bytes));
    s
}

/// Strip an optional `0x`/`0X` prefix.
pub fn strip_prefix(s: &str) -> &str {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s)
}

/// Decode a hex string (upper or lower case, `0x` prefix optional).
pub fn decode(s: &str) -> Result<Vec<u8>, CryptoError> {
    hex::decode(strip_prefix(s)).map_err(|e| CryptoError::InvalidHex(e.to_string()))
}

/// Decode a hex string into exactly `N` bytes.
pub fn decode_fixed<const N: usize>(s: &str) -> Result<[u8; N], CryptoError> {
    let digits = strip_prefix(s);
    if digits.len() != 2 * N {
        // Report the byte length when it is well defined, else the digit count problem.
        if digits.len() % 2 == 0 {
            return Err(CryptoError::InvalidLength { expected: N, actual: digits.len() / 2 });
        }
        return Err(CryptoError::InvalidHex(format!(
            "odd number of hex digits ({}), expected {}",
            digits.len(),
            2 * N
        )));
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(digits, &mut out).map_err(|e| CryptoError::InvalidHex(e.to_string()))?;
    Ok(out)
}

/// Byte containers that [`serialize`] and [`deserialize`] handle.
pub trait HexBytes: Sized {
    /// The bytes to encode.
    fn hex_bytes(&self) -> &[u8];
    /// Build from a hex string (the `0x` prefix is optional).
    fn from_hex_str(s: &str) -> Result<Self, CryptoError>;
}

impl<const N: usize> HexBytes for [u8; N] {
    fn hex_bytes(&self) -> &[u8] {
        self
    }
    fn from_hex_str(s: &str) -> Result<Self, CryptoError> {
        decode_fixed::<N>(s)
    }
}

impl HexBytes for Vec<u8> {
    fn hex_bytes(&self) -> &[u8] {
        self
    }
    fn from_hex_str(s: &str) -> Result<Self, CryptoError> {
        decode(s)
    }
}

/// Serde serializer: writes the bytes as a `0x`-prefixed lowercase hex string.
pub fn serialize<T: HexBytes, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&encode(value.hex_bytes()))
}

/// Serde deserializer: reads a hex string (`0x` optional) into `[u8; N]` or `Vec<u8>`.
pub fn deserialize<'de, T: HexBytes, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct HexVisitor<T>(std::marker::PhantomData<T>);

    impl<T: HexBytes> de::Visitor<'_> for HexVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a 0x-prefixed hex string")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            T::from_hex_str(v).map_err(E::custom)
        }
    }

    deserializer.deserialize_str(HexVisitor(std::marker::PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode() {
        assert_eq!(encode([0xab, 0x01]), "0xab01");
        assert_eq!(encode([]), "0x");
        assert_eq!(decode("0xAB01").unwrap(), vec![0xab, 0x01]);
        assert_eq!(decode("ab01").unwrap(), vec![0xab, 0x01]);
        assert_eq!(decode("0x").unwrap(), Vec::<u8>::new());
        assert!(matches!(decode("0xabc"), Err(CryptoError::InvalidHex(_))));
        assert!(matches!(decode("0xzz"), Err(CryptoError::InvalidHex(_))));
        assert_eq!(decode_fixed::<2>("0xab01").unwrap(), [0xab, 0x01]);
        assert!(matches!(decode_fixed::<3>("0xab01"), Err(CryptoError::InvalidLength { expected: 3, actual: 2 })));
        assert!(matches!(decode_fixed::<2>("0xab0"), Err(CryptoError::InvalidHex(_))));
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct S {
        #[serde(with = "crate::hexser")]
        a: [u8; 3],
        #[serde(with = "crate::hexser")]
        v: Vec<u8>,
    }

    #[test]
    fn serde_round_trip_and_errors() {
        let s = S { a: [1, 2, 3], v: vec![0xff] };
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, r#"{"a":"0x010203","v":"0xff"}"#);
        assert_eq!(serde_json::from_str::<S>(&j).unwrap(), s);
        assert!(serde_json::from_str::<S>(r#"{"a":"0x0102","v":"0x"}"#).is_err());
        assert!(serde_json::from_str::<S>(r#"{"a":5,"v":"0x"}"#).is_err());
        // Owned strings (e.g. from serde_json::Value) work too.
        let v = serde_json::json!({"a": "010203", "v": "0XFF"});
        assert_eq!(serde_json::from_value::<S>(v).unwrap(), s);
    }
}
