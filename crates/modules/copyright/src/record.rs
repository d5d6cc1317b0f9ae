//! What a copyright certificate proves (record kinds `copyright_work`, `copyright_license`),
//! and how people read works and licenses (the CLI and `hechain verify-cert`).

use hechain_module::record::ModuleRecord;
use hechain_primitives::display::format_ms;
use hechain_primitives::Codec;

use crate::{keys, CopyrightLicense, CopyrightWork};

/// A copyright record a certificate can prove.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "record")]
pub enum CopyrightRecord {
    /// A registered work: owner, registration and transfer count.
    #[serde(rename = "copyright_work")]
    Work(CopyrightWork),
    /// A license on a work.
    #[serde(rename = "copyright_license")]
    License(CopyrightLicense),
}

impl ModuleRecord for CopyrightRecord {
    const KINDS: &'static [&'static str] = &["copyright_work", "copyright_license"];

    fn kind(&self) -> &'static str {
        match self {
            CopyrightRecord::Work(_) => "copyright_work",
            CopyrightRecord::License(_) => "copyright_license",
        }
    }

    fn state_key(&self) -> Vec<u8> {
        match self {
            CopyrightRecord::Work(w) => keys::copyright_work(w.id),
            CopyrightRecord::License(l) => keys::copyright_license(l.work_id, l.index),
        }
    }

    fn encoded(&self) -> Vec<u8> {
        match self {
            CopyrightRecord::Work(w) => w.encode(),
            CopyrightRecord::License(l) => l.encode(),
        }
    }

    fn related(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            CopyrightRecord::Work(_) | CopyrightRecord::License(_) => Vec::new(),
        }
    }

    fn check_contents(&self, _suite: hechain_crypto::Suite) -> Result<(), String> {
        match self {
            CopyrightRecord::Work(_) | CopyrightRecord::License(_) => Ok(()),
        }
    }

    fn describe(&self) -> String {
        match self {
            CopyrightRecord::Work(w) => work_text(w),
            CopyrightRecord::License(l) => license_text(l, None),
        }
    }
}

/// A work in a few lines.
pub fn work_text(w: &CopyrightWork) -> String {
    let mut out = format!(
        "work {} \"{}\" ({}) by {}\n  content hash  {}\n  owner         {}\n  registered    {} by {} (height {}, tx {})",
        w.id,
        w.title,
        w.work_type,
        w.author,
        w.content_hash,
        w.owner.to_checksum(),
        format_ms(w.registered.timestamp_ms),
        w.registrant.to_checksum(),
        w.registered.height,
        w.registered.tx_hash
    );
    if w.transfers > 0 {
        out.push_str(&format!(
            "\n  transfers     {} (last {} at height {}, tx {})",
            w.transfers,
            format_ms(w.updated.timestamp_ms),
            w.updated.height,
            w.updated.tx_hash
        ));
    }
    out
}

/// A license in one line, with whether it is in force when that is known.
pub fn license_text(l: &CopyrightLicense, in_force: Option<bool>) -> String {
    format!(
        "license {} of work {}: {} to {} in {}, {} … {}{}",
        l.index,
        l.work_id,
        if l.exclusive { "exclusive" } else { "non-exclusive" },
        l.licensee.to_checksum(),
        l.territory,
        format_ms(l.start_ms),
        format_ms(l.end_ms),
        match in_force {
            Some(true) => " (in force)",
            Some(false) => " (not in force)",
            None => "",
        }
    )
}
