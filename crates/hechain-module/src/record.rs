//! The records a module can put into an offline-verifiable certificate
//! (`hechain_cert::RecordCertificate`): each kind says where it lives in state and how it is
//! encoded there, so that a verifier checks its state-tree proof without knowing the module.

use hechain_crypto::Suite;

/// A module's certifiable record kinds: an enum, JSON-tagged as
/// `{"kind": "<kind>", "record": {…}}` (`#[serde(tag = "kind", content = "record")]`).
pub trait ModuleRecord:
    Clone + std::fmt::Debug + PartialEq + Eq + serde::Serialize + serde::de::DeserializeOwned + 'static
{
    /// Every `kind` tag of the enum.
    const KINDS: &'static [&'static str];

    /// The record's kind tag.
    fn kind(&self) -> &'static str;

    /// The state key the record lives under.
    fn state_key(&self) -> Vec<u8>;

    /// The record's canonical encoding (what the state stores under [`state_key`](Self::state_key)).
    fn encoded(&self) -> Vec<u8>;

    /// Further records (state key, canonical encoding) that must hold in the same state.
    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)>;

    /// Checks that what the certificate carries besides the proven records agrees with them.
    fn check_contents(&self, suite: Suite) -> Result<(), String>;

    /// A few human lines about the record (what `hechain verify-cert` prints under VALID).
    fn describe(&self) -> String;
}

/// The record kinds of a module that certifies none (or whose certificates are still built by
/// the node's own code, see `docs/architecture.md`). It has no values.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NoRecords {}

impl ModuleRecord for NoRecords {
    const KINDS: &'static [&'static str] = &[];

    fn kind(&self) -> &'static str {
        match *self {}
    }

    fn state_key(&self) -> Vec<u8> {
        match *self {}
    }

    fn encoded(&self) -> Vec<u8> {
        match *self {}
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match *self {}
    }

    fn check_contents(&self, _suite: Suite) -> Result<(), String> {
        match *self {}
    }

    fn describe(&self) -> String {
        match *self {}
    }
}
