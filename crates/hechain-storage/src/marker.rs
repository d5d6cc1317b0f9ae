//! The chain marker: a small file beside the database (`chain.redb.chain` for `chain.redb`) that
//! remembers which chain the data directory holds and a height it is known to have committed.
//!
//! It catches what the database file cannot tell about itself: a file deleted or truncated to
//! nothing would otherwise be taken for a new node and start the chain again at height 0, and a
//! file put back from an older copy would silently hold fewer blocks than the node had
//! committed (and maybe signed). With a marker, [`crate::Store::open`] refuses both with the
//! recovery steps.
//!
//! Format (text, one field per line, versioned):
//!
//! ```text
//! hechain-chain-marker 1
//! genesis 0x<64 hex digits>
//! height_floor <decimal>
//! ```
//!
//! The floor is raised every [`FLOOR_STEP`] blocks, after the block's commit has returned (so it
//! never exceeds what is durable), by writing a temporary file and renaming it over the marker.

use std::io::Write;
use std::path::{Path, PathBuf};

use hechain_types::H256;

use crate::StorageError;

/// Blocks between raises of the floor.
pub const FLOOR_STEP: u64 = 256;

const MAGIC: &str = "hechain-chain-marker 1";

/// What a marker says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marker {
    /// Hash of the chain's genesis.
    pub genesis: H256,
    /// A height this data directory had committed.
    pub height_floor: u64,
}

/// The marker file of the database at `db`.
pub fn path_for(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".chain");
    db.with_file_name(name)
}

fn bad(path: &Path, reason: impl Into<String>) -> StorageError {
    StorageError::Marker { path: path.to_path_buf(), reason: reason.into() }
}

impl Marker {
    /// Reads the marker at `path` (`None` if there is none).
    pub fn read(path: &Path) -> Result<Option<Marker>, StorageError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(bad(path, e.to_string())),
        };
        Self::parse(&text).map(Some).map_err(|reason| bad(path, reason))
    }

    fn parse(text: &str) -> Result<Marker, String> {
        let mut lines = text.lines();
        if lines.next() != Some(MAGIC) {
            return Err(format!("not a chain marker (the first line must be {MAGIC:?})"));
        }
        let mut genesis = None;
        let mut floor = None;
        for line in lines.filter(|l| !l.trim().is_empty()) {
            match line.split_once(' ') {
                Some(("genesis", v)) => {
                    let bytes = hex::decode(v.trim().trim_start_matches("0x")).map_err(|e| format!("genesis: {e}"))?;
                    let arr: [u8; 32] = bytes.try_into().map_err(|_| "genesis: not 32 bytes".to_string())?;
                    genesis = Some(H256(arr));
                }
                Some(("height_floor", v)) => {
                    floor = Some(v.trim().parse::<u64>().map_err(|e| format!("height_floor: {e}"))?);
                }
                _ => return Err(format!("unknown line {line:?}")),
            }
        }
        match (genesis, floor) {
            (Some(genesis), Some(height_floor)) => Ok(Marker { genesis, height_floor }),
            _ => Err("genesis or height_floor missing".into()),
        }
    }

    fn render(&self) -> String {
        format!("{MAGIC}\ngenesis 0x{}\nheight_floor {}\n", hex::encode(self.genesis.0), self.height_floor)
    }

    /// Writes the marker to `path` through a temporary file and a rename; with `durable`, the
    /// file and its directory are synced (at creation: a marker lost in a crash would leave a
    /// chain unguarded).
    pub fn write(&self, path: &Path, durable: bool) -> Result<(), StorageError> {
        let tmp = path.with_extension("chain.tmp");
        let io = |e: std::io::Error| bad(path, e.to_string());
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(self.render().as_bytes()).map_err(io)?;
        if durable {
            f.sync_all().map_err(io)?;
        }
        drop(f);
        std::fs::rename(&tmp, path).map_err(io)?;
        if durable {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let m = Marker { genesis: H256([7; 32]), height_floor: 512 };
        assert_eq!(Marker::parse(&m.render()), Ok(m));
        assert!(Marker::parse("").is_err());
        assert!(Marker::parse(&m.render().replace("512", "x")).is_err());
        assert!(Marker::parse(&format!("{}extra 1\n", m.render())).is_err());
        assert_eq!(path_for(Path::new("/d/chain.redb")), Path::new("/d/chain.redb.chain"));
        // The format is pinned.
        let golden = Marker { genesis: H256([0xab; 32]), height_floor: 3 }.render();
        assert_eq!(golden, format!("hechain-chain-marker 1\ngenesis 0x{}\nheight_floor 3\n", "ab".repeat(32)));
    }
}
