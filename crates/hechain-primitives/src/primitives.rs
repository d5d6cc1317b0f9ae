//! Fixed-size primitives: [`Address`] (20 bytes) and [`H256`] (32 bytes).
//!
//! Both serialise to JSON as `0x`-prefixed lowercase hex and parse with or
//! without the prefix. Their canonical (borsh) encoding is the raw bytes.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::TypesError;

macro_rules! fixed_bytes {
    ($name:ident, $len:expr, $what:expr) => {
        #[doc = concat!("A ", $what, " of ", stringify!($len), " bytes.")]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, BorshSerialize, BorshDeserialize)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Length in bytes.
            pub const LEN: usize = $len;
            /// The all-zero value.
            pub const ZERO: Self = Self([0u8; $len]);

            /// Builds from a slice, failing unless it has exactly the right length.
            pub fn from_slice(bytes: &[u8]) -> Result<Self, TypesError> {
                let arr: [u8; $len] = bytes.try_into().map_err(|_| TypesError::InvalidLength {
                    what: $what,
                    expected: $len,
                    got: bytes.len(),
                })?;
                Ok(Self(arr))
            }

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// `0x`-prefixed lowercase hex.
            pub fn to_hex(&self) -> String {
                format!("0x{}", hex::encode(self.0))
            }
        }

        impl From<[u8; $len]> for $name {
            fn from(b: [u8; $len]) -> Self {
                Self(b)
            }
        }

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = TypesError;
            fn from_str(s: &str) -> Result<Self, TypesError> {
                let s = s.trim();
                let body = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
                if body.len() != $len * 2 {
                    return Err(TypesError::InvalidHex {
                        what: $what,
                        reason: format!("expected {} hex digits, got {}", $len * 2, body.len()),
                    });
                }
                let mut out = [0u8; $len];
                hex::decode_to_slice(body, &mut out)
                    .map_err(|e| TypesError::InvalidHex { what: $what, reason: e.to_string() })?;
                Ok(Self(out))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

fixed_bytes!(Address, 20, "address");
fixed_bytes!(H256, 32, "hash");

/// JSON schema of a fixed-size hex value (the OpenAPI document's `Address` and `Hash`).
#[cfg(feature = "openapi")]
macro_rules! hex_schema {
    ($name:ident, $schema_name:expr, $len:expr, $description:expr) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .description(Some($description))
                    .pattern(Some(concat!("^(0x)?[0-9a-fA-F]{", stringify!($len), "}$")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($schema_name)
            }
        }
    };
}

#[cfg(feature = "openapi")]
hex_schema!(Address, "Address", 40, "20 bytes as hex, 0x-prefixed (lowercase in responses; any case accepted).");
#[cfg(feature = "openapi")]
hex_schema!(H256, "Hash", 64, "32 bytes as hex, 0x-prefixed (lowercase in responses).");

impl Address {
    /// EIP-55 mixed-case checksum form, as wallets display it.
    pub fn to_checksum(&self) -> String {
        hechain_crypto::to_checksum_address(&self.0)
    }
}

/// Serde helper for `u128` amounts: JSON carries them as decimal strings so
/// JavaScript clients do not lose precision; numbers are accepted on input.
pub mod u128_string {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as a decimal string.
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Accepts a decimal string, a `0x` hex string or a JSON number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr<'a> {
            Num(u64),
            Str(std::borrow::Cow<'a, str>),
        }
        match Repr::deserialize(d)? {
            Repr::Num(n) => Ok(n as u128),
            Repr::Str(s) => parse_amount(&s).map_err(serde::de::Error::custom),
        }
    }

    /// Parses a decimal or `0x` hex amount.
    pub fn parse_amount(s: &str) -> Result<u128, String> {
        let s = s.trim();
        if let Some(h) = s.strip_prefix("0x") {
            u128::from_str_radix(h, 16).map_err(|e| format!("invalid hex amount {s:?}: {e}"))
        } else {
            s.parse::<u128>().map_err(|e| format!("invalid amount {s:?}: {e}"))
        }
    }
}

/// Serde helper for byte vectors as `0x` hex strings.
pub mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises as `0x`-prefixed hex.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v)))
    }

    /// Parses hex with or without `0x`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let body = s.strip_prefix("0x").unwrap_or(&s);
        hex::decode(body).map_err(|e| serde::de::Error::custom(format!("invalid hex: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        let a: Address = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F".parse().unwrap();
        assert_eq!(a.to_hex(), "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
        assert_eq!(a.to_checksum(), "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
        assert!("0x12".parse::<Address>().is_err());
        assert!("zz".repeat(20).parse::<Address>().is_err());
        let h: H256 = serde_json::from_str(&format!("\"{}\"", "ab".repeat(32))).unwrap();
        assert_eq!(serde_json::to_string(&h).unwrap(), format!("\"0x{}\"", "ab".repeat(32)));
    }

    #[test]
    fn amounts() {
        assert_eq!(u128_string::parse_amount("0x10").unwrap(), 16);
        assert_eq!(u128_string::parse_amount("340282366920938463463374607431768211455").unwrap(), u128::MAX);
        assert!(u128_string::parse_amount("-1").is_err());
    }
}
