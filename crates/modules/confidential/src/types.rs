//! The confidential-amounts module's calls, events and records.

use borsh::{BorshDeserialize, BorshSerialize};
use hechain_module::ModuleEnum;
use hechain_primitives::{hex_bytes, Address, Codec, Stamp, H256};
use serde::{Deserialize, Serialize};

/// A new note a call creates: its owner, the commitment to its amount and the opening sealed to
/// the owner's view key (and to the auditor's, when governance appointed one).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// Who holds the new note.
    pub owner: Address,
    /// Pedersen commitment to the amount (a compressed Ristretto point).
    pub commitment: H256,
    /// The opening (amount, blinding) sealed to the owner's registered view key.
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub sealed: Vec<u8>,
    /// The same opening sealed to the auditor's view key (empty when there is no auditor).
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub sealed_auditor: Vec<u8>,
}

/// Notes spent and notes created, with the proofs that nothing was created, destroyed or made
/// negative.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Notes spent (ids), all the sender's and of one asset.
    pub inputs: Vec<u64>,
    /// Notes created, in order.
    pub outputs: Vec<Output>,
    /// Aggregated Bulletproofs range proof: every output amount is in [0, 2^64).
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub range_proof: Vec<u8>,
    /// Schnorr proof that the inputs and the outputs commit to the same total.
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub balance_proof: Vec<u8>,
}

/// What a transaction asks the confidential-amounts module to do.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum ConfidentialCall {
    /// Register (or replace) the sender's public view key, to which notes for it are sealed.
    #[serde(rename = "conf_register_view_key")]
    RegisterViewKey {
        /// The public view key (a compressed Ristretto point).
        view_key: H256,
    },
    /// Create an asset (e.g. a core enterprise's receivable voucher line) with a public cap: the
    /// issuer's reserve note holds the whole cap, and issues draw on it.
    #[serde(rename = "conf_create_asset")]
    CreateAsset {
        /// Name (1 to 64 bytes).
        name: String,
        /// Most that can ever be outstanding.
        cap: u64,
    },
    /// The issuer draws notes for holders from the asset's reserve: the one input is the current
    /// reserve note, the first output (the issuer's) becomes the new reserve.
    #[serde(rename = "conf_issue")]
    Issue {
        /// The notes.
        flow: Flow,
    },
    /// Pay or split: the sender's notes of one asset become notes of any owners (the sender's
    /// own for change or a split).
    #[serde(rename = "conf_transfer")]
    Transfer {
        /// The notes.
        flow: Flow,
    },
    /// Settle at maturity: the holder's notes become one settled note of the issuer, who learns
    /// the amount to pay and cannot spend it again.
    #[serde(rename = "conf_settle")]
    Settle {
        /// The notes.
        flow: Flow,
    },
}

impl ModuleEnum for ConfidentialCall {
    const TYPES: &'static [&'static str] =
        &["conf_register_view_key", "conf_create_asset", "conf_issue", "conf_transfer", "conf_settle"];
}

/// What the confidential-amounts module reports having done (never an amount).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", deny_unknown_fields)]
pub enum ConfidentialEvent {
    /// A view key was registered.
    #[serde(rename = "conf_view_key_registered")]
    ViewKeyRegistered {
        /// The account.
        account: Address,
        /// Its public view key.
        view_key: H256,
    },
    /// An asset was created.
    #[serde(rename = "conf_asset_created")]
    AssetCreated {
        /// Asset id.
        asset: u64,
        /// Its issuer.
        issuer: Address,
        /// Its public cap.
        cap: u64,
        /// The reserve note holding the cap.
        reserve: u64,
    },
    /// Notes were spent and created (`kind`: `issue`, `transfer` or `settle`).
    #[serde(rename = "conf_moved")]
    Moved {
        /// Asset id.
        asset: u64,
        /// `issue`, `transfer` or `settle`.
        kind: String,
        /// Notes spent.
        spent: Vec<u64>,
        /// Notes created, in output order.
        created: Vec<u64>,
    },
}

impl ModuleEnum for ConfidentialEvent {
    const TYPES: &'static [&'static str] = &["conf_view_key_registered", "conf_asset_created", "conf_moved"];
}

/// An asset.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// Asset id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Who issues it (and settles it).
    pub issuer: Address,
    /// Most that can ever be outstanding: the first reserve note commits to it with blinding 0.
    pub cap: u64,
    /// The current reserve note.
    pub reserve: u64,
    /// Where it was created.
    pub created: Stamp,
}

impl Codec for Asset {}

/// What a note is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A holder's note: transferable, settleable.
    Holding,
    /// The issuer's reserve (what has not been issued); only an issue spends it.
    Reserve,
    /// Settled with the issuer: retired, never spendable.
    Settled,
}

/// A confidential note.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// Note id.
    pub id: u64,
    /// Asset id.
    pub asset: u64,
    /// Holder.
    pub owner: Address,
    /// What it is.
    pub kind: NoteKind,
    /// Pedersen commitment to the amount.
    pub commitment: H256,
    /// The opening sealed to the owner's view key (empty for an asset's first reserve, whose
    /// opening is public: the cap, blinding 0).
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub sealed: Vec<u8>,
    /// The opening sealed to the auditor's view key in force when it was made (or empty).
    #[serde(with = "hex_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^0x([0-9a-fA-F]{2})*$"))]
    pub sealed_auditor: Vec<u8>,
    /// Where it was created.
    pub created: Stamp,
    /// Where it was spent, if it was.
    pub spent: Option<Stamp>,
}

impl Codec for Note {}
