//! **The module list.** Every service module of hechain is named here once; the payload, the
//! event, the permission names and the dispatch of every layer are derived from
//! [`for_each_module!`].
//!
//! Adding a module: create `crates/modules/<name>` (see `docs/architecture.md`, "Service
//! modules"), add it to this crate's `Cargo.toml` (dependency and `openapi` feature), re-export
//! it below, and append one line to the list. Append only: the list order is the order of
//! the payload's variants, and the modules' wire tags ([`hechain_module::Wire`]) are fixed
//! forever once a chain has used them.

pub use hechain_anon as anon;
pub use hechain_confidential as confidential;
pub use hechain_copyright as copyright;
pub use hechain_crosschain as crosschain;
pub use hechain_ecert as ecert;
pub use hechain_evidence as evidence;
pub use hechain_governance as governance;
pub use hechain_htlc as htlc;
pub use hechain_invoice as invoice;
pub use hechain_trace as trace;
pub use hechain_tradedoc as tradedoc;
pub use hechain_transfer as transfer;
pub use hechain_voucher as voucher;

/// Calls `$callback!` with the module list: `Variant => ModuleType` pairs, in list order.
#[macro_export]
macro_rules! for_each_module {
    ($callback:ident) => {
        $callback! {
            Transfer => $crate::transfer::TransferModule,
            Evidence => $crate::evidence::EvidenceModule,
            Copyright => $crate::copyright::CopyrightModule,
            Voucher => $crate::voucher::VoucherModule,
            Ecert => $crate::ecert::EcertModule,
            Trace => $crate::trace::TraceModule,
            Governance => $crate::governance::GovernanceModule,
            Invoice => $crate::invoice::InvoiceModule,
            Tradedoc => $crate::tradedoc::TradedocModule,
            Crosschain => $crate::crosschain::CrosschainModule,
            Htlc => $crate::htlc::HtlcModule,
            Confidential => $crate::confidential::ConfidentialModule,
            Anon => $crate::anon::AnonModule,
        }
    };
}
