//! What a voucher certificate proves (record kinds `voucher`, `voucher_part`), and how people
//! read vouchers and parts (the CLI and `hechain verify-cert`).

use hechain_module::record::ModuleRecord;
use hechain_primitives::display::format_ms;
use hechain_primitives::Codec;

use crate::{keys, PartStatus, Voucher, VoucherPart};

/// A voucher record a certificate can prove.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "record")]
pub enum VoucherRecord {
    /// A receivable voucher: issuer, face value, maturity, live parts, settlement.
    #[serde(rename = "voucher")]
    Voucher(Voucher),
    /// A part of a voucher's value: holder, amount, state, lineage.
    #[serde(rename = "voucher_part")]
    Part(VoucherPart),
}

impl ModuleRecord for VoucherRecord {
    const KINDS: &'static [&'static str] = &["voucher", "voucher_part"];

    fn kind(&self) -> &'static str {
        match self {
            VoucherRecord::Voucher(_) => "voucher",
            VoucherRecord::Part(_) => "voucher_part",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            VoucherRecord::Voucher(v) => keys::voucher(v.id),
            VoucherRecord::Part(p) => keys::voucher_part(p.id),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            VoucherRecord::Voucher(v) => v.encode(),
            VoucherRecord::Part(p) => p.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            VoucherRecord::Voucher(_) | VoucherRecord::Part(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            VoucherRecord::Voucher(_) | VoucherRecord::Part(_) => Ok(()),
        }
    }

    fn describe(&self) -> String {
        match self {
            VoucherRecord::Voucher(v) => voucher_text(v),
            VoucherRecord::Part(p) => part_text(p),
        }
    }
}

/// A voucher in a few lines.
pub fn voucher_text(v: &Voucher) -> String {
    format!(
        "voucher {}: {} owed by {}, due {}\n  reference     {}\n  issued        {} (height {}, tx {})\n  {}",
        v.id,
        v.amount,
        v.issuer.to_checksum(),
        format_ms(v.maturity_ms),
        v.reference,
        format_ms(v.issued.timestamp_ms),
        v.issued.height,
        v.issued.tx_hash,
        match &v.settled {
            Some(s) => format!("settled       {} (height {})", format_ms(s.timestamp_ms), s.height),
            None => format!("live parts    {:?}", v.live_parts),
        }
    )
}

/// A part in one line.
pub fn part_text(p: &VoucherPart) -> String {
    let status = match &p.status {
        PartStatus::Active => "active".to_string(),
        PartStatus::Pledged { bank } => format!("pledged to {}", bank.to_checksum()),
        PartStatus::Spent => format!("spent into parts {:?}", p.children),
        PartStatus::Settled { paid_to } => format!("settled, paid to {}", paid_to.to_checksum()),
    };
    format!(
        "part {} of voucher {}: {} held by {} ({status}){}",
        p.id,
        p.voucher_id,
        p.amount,
        p.holder.to_checksum(),
        p.parent.map(|x| format!(", split from part {x}")).unwrap_or_default()
    )
}
