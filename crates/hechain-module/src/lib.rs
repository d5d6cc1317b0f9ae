//! The service-module interface.
//!
//! A service module (evidence, copyright, vouchers, …) lives in its own crate under
//! `crates/modules/<name>` and declares itself with [`Module`]: its name, where its calls and
//! events sit in the one-byte wire tag ([`Wire`]), its call and event types, and the state key
//! space it owns. The modules are listed once, in the `hechain-modules` crate; `hechain-types`
//! turns that list into the transaction [`payload`](gather_modules) and the event type with
//! [`gather_modules!`], so that nothing else names the modules one by one.
//!
//! See `docs/architecture.md`, "Service modules", for the walk-through of adding one.

#[cfg(feature = "api")]
pub mod api;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "evm")]
pub mod evm;
pub mod exec;
pub mod keys;
pub mod record;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod wire;

#[cfg(feature = "openapi")]
#[doc(hidden)]
pub use utoipa as __utoipa;
#[doc(hidden)]
pub use {borsh as __borsh, hechain_crypto as __crypto, serde as __serde, serde_json as __serde_json};

pub use hechain_primitives::TypesError;
pub use wire::Wire;

/// One service module: its name, wire position, call and event types, and key space.
///
/// Implemented by a unit struct in the module's crate, e.g. `pub struct Evidence;`.
pub trait Module: 'static {
    /// Name used in permissions, the REST paths and the CLI (`evidence`, `copyright`, …).
    const NAME: &'static str;
    /// Where the module's calls and events sit in the payload's and event's tag byte.
    const WIRE: Wire;
    /// State key prefixes the module owns. No two modules' prefixes may overlap (a test of
    /// `hechain-types` checks every listed module).
    const KEY_PREFIXES: &'static [&'static [u8]];
    /// What a transaction asks the module to do.
    type Call: ModuleCall;
    /// What the module reports having done.
    type Event: ModuleEnum;
    /// The record kinds it can put into offline certificates ([`record::NoRecords`] if none).
    type Record: record::ModuleRecord;
}

/// An enum of a module's calls or events, as it travels inside the chain's payload or event.
///
/// The JSON form is internally tagged (`{"type": "evidence_put", …}`); [`TYPES`](Self::TYPES)
/// lists the tags in variant order, which is also the borsh tag order.
/// [`check_enum`](crate::testing::check_enum) checks the two agree.
pub trait ModuleEnum:
    Clone
    + std::fmt::Debug
    + PartialEq
    + Eq
    + borsh::BorshSerialize
    + borsh::BorshDeserialize
    + serde::Serialize
    + serde::de::DeserializeOwned
    + SchemaIfOpenapi
{
    /// The JSON `type` of each variant, in declaration (borsh tag) order.
    const TYPES: &'static [&'static str];
}

/// A module's call enum.
pub trait ModuleCall: ModuleEnum {
    /// Stateless field checks (lengths, empty fields, terms), run by the pool on admission and
    /// again at execution. The message names the field.
    fn validate(&self, cx: &ValidateContext) -> Result<(), TypesError>;

    /// Native balance the call itself moves out of the sender, besides the fee.
    fn spends(&self) -> u128;

    /// Stateless checks too costly to repeat inside a block's serial execution: the proofs a
    /// call carries about its own fields (e.g. range proofs over the commitments it creates).
    /// The pool runs them on admission, a replica on a proposal's new transactions, and a block
    /// runs them for all its transactions in a parallel pass before executing; the module's
    /// `apply` runs them itself when [`CallContext::proofs_checked`](exec::CallContext) is false.
    /// None by default.
    fn verify_proofs(&self) -> Result<(), TypesError> {
        Ok(())
    }

    /// Whether the call is exempt from the chain's minimum fee (it may be sent with fee 0):
    /// governance calls (the committee can always lower the fee again), and anonymous votes
    /// sent from one-time accounts that must not be funded by the voter. A module that exempts a
    /// call stands against spam itself, e.g. with an `admit` check. False by default.
    fn fee_exempt(&self) -> bool {
        false
    }

    /// A key no two pending calls of the module may share (the pool refuses the second while
    /// the first waits), e.g. the content hash of an evidence record. None by default.
    fn pool_key(&self) -> Option<PoolKey> {
        None
    }
}

/// What makes two pending calls of a module conflict ([`ModuleCall::pool_key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolKey {
    /// The key (unique within the module).
    pub key: Vec<u8>,
    /// The pool's refusal code (e.g. `evidence_exists`).
    pub code: &'static str,
    /// What the key is, for the refusal: "`<what>` is already pending in another transaction".
    pub what: String,
}

/// A module's refusal of a call at pool admission: a stable code and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Machine-readable code (e.g. `evidence_exists`).
    pub code: &'static str,
    /// What is wrong, naming the record it conflicts with.
    pub message: String,
}

/// Chain-wide facts a module's stateless checks may need.
#[derive(Clone, Copy, Debug)]
pub struct ValidateContext<'a> {
    /// The listed modules' names (permission settings must name one of them).
    pub modules: &'a [&'a str],
}

/// `utoipa::ToSchema` when the `openapi` feature is on, nothing otherwise.
#[cfg(feature = "openapi")]
pub trait SchemaIfOpenapi: utoipa::ToSchema {}
#[cfg(feature = "openapi")]
impl<T: utoipa::ToSchema> SchemaIfOpenapi for T {}
/// `utoipa::ToSchema` when the `openapi` feature is on, nothing otherwise.
#[cfg(not(feature = "openapi"))]
pub trait SchemaIfOpenapi {}
#[cfg(not(feature = "openapi"))]
impl<T> SchemaIfOpenapi for T {}

pub mod testing;

mod gather;
pub use gather::type_name;

/// Implements the `api`, `evm` and `cli` layers (or the ones named after `$why`, say
/// `api cli`) of a module that has none of them through the module interface: no routes, no
/// precompile, no command. `$why` says why (for the first services: that layer is still the
/// node's own code, being ported).
#[macro_export]
macro_rules! no_interface_layers {
    ($module:ty, $why:literal) => {
        $crate::no_interface_layers!($module, $why, api evm cli);
    };
    ($module:ty, $why:literal, $($layer:ident)+) => {
        $( $crate::__no_layer!($layer, $module, $why); )+
    };
}

/// One layer of [`no_interface_layers!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __no_layer {
    (api, $module:ty, $why:literal) => {
        #[cfg(feature = "api")]
        impl $crate::api::ModuleApi for $module {
            #[doc = $why]
            fn routes() -> Vec<$crate::api::Route<Self>> {
                Vec::new()
            }
        }
    };
    (evm, $module:ty, $why:literal) => {
        #[cfg(feature = "evm")]
        impl $crate::evm::ModulePrecompile for $module {
            #[doc = $why]
            fn precompile(
            ) -> Option<$crate::evm::PrecompileSpec<<Self as $crate::Module>::Call, <Self as $crate::Module>::Event>>
            {
                None
            }
        }
    };
    (cli, $module:ty, $why:literal) => {
        #[cfg(feature = "cli")]
        impl $crate::cli::ModuleCli for $module {
            #[doc = $why]
            fn cli() -> Option<$crate::cli::CliSpec<Self>> {
                None
            }
        }
    };
}
