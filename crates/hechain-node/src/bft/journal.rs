//! The block journal of a validator: every consensus block it voted for (its own proposals
//! included), with the encoded payload the block orders, kept on disk above the executed head.
//!
//! **Why.** A block is certified when `2f+1` validators voted for it, but it is committed only
//! when a later QC extends it, and a node executes only what it committed. If the whole network
//! stops between the two (a clean `net down`, or SIGKILL of every node), a certified block may be
//! committed by one node and by nobody else; its safety state makes every node extend it after
//! the restart, so the others must still find it, or nothing commits again. The core emits
//! [`hechain_consensus::hotstuff::Action::PersistBlock`] before the
//! [`hechain_consensus::hotstuff::Action::PersistSafety`] of each vote, and the driver writes the
//! block here first: every certified block is then on the disks of at least `f+1` correct
//! validators. At start-up the journal above the stored head goes back into the core (so the
//! 2-chain walk of a new QC finds its ancestors) and into the payload map (so block requests of
//! peers that lack a block can be answered, and the executor gets its transactions).
//!
//! **Format.** One file per block, `<round, 20 digits>-<block id hex>.blk`, holding a version
//! byte ([`JOURNAL_VERSION`]) and the borsh encoding of `(Proposal, payload bytes)`. Written
//! like the safety file (temporary file, fsync, rename, fsync of the directory), so a crash
//! leaves a whole file or none. A file that does not decode is reported and left out: the block
//! is then fetched from a peer like any other missing block.

use std::path::{Path, PathBuf};

use borsh::BorshDeserialize;
use hechain_consensus::hotstuff::{BlockId, Proposal};

use crate::{io_err, write_private, NodeError};

/// A journaled block: the proposal and its encoded payload.
pub type Entry = (Proposal, Vec<u8>);

/// Version byte of a journal file.
pub const JOURNAL_VERSION: u8 = 1;
const EXT: &str = "blk";

/// The block journal of one membership epoch (each epoch's consensus has its own rounds).
#[derive(Clone, Debug)]
pub struct BlockJournal {
    dir: PathBuf,
}

/// A journal file that could not be used.
#[derive(Debug)]
pub struct Unreadable {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

impl BlockJournal {
    /// The journal of membership epoch `epoch` in `data_dir`.
    pub fn for_epoch(data_dir: &Path, epoch: u64) -> Self {
        BlockJournal { dir: data_dir.join(format!("consensus-blocks-e{epoch}")) }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file_name(round: u64, id: &BlockId) -> String {
        format!("{round:020}-{}.{EXT}", hex::encode(id.0))
    }

    /// Durably stores `proposal` (whose id is `id`) with its encoded payload. A block already
    /// stored is not written again.
    pub fn save(&self, id: &BlockId, proposal: &Proposal, payload: &[u8]) -> Result<(), NodeError> {
        let name = Self::file_name(proposal.block.round, id);
        let path = self.dir.join(&name);
        if path.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let mut bytes = vec![JOURNAL_VERSION];
        borsh::to_writer(&mut bytes, &(proposal, payload)).map_err(io_err(&path))?;
        let tmp = self.dir.join(format!("{name}.tmp"));
        write_private(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path).map_err(io_err(&path))?;
        std::fs::File::open(&self.dir).and_then(|d| d.sync_all()).map_err(io_err(&self.dir))
    }

    /// Every stored block above `round`, in round order, with the files that could not be read.
    /// Removes temporary files left by a crash in the middle of [`BlockJournal::save`] (call it
    /// while nothing saves, i.e. when the consensus starts).
    pub fn load_after(&self, round: u64) -> Result<(Vec<Entry>, Vec<Unreadable>), NodeError> {
        let (files, tmp) = self.files()?;
        for path in tmp {
            std::fs::remove_file(&path).map_err(io_err(&path))?;
        }
        let mut found = Vec::new();
        let mut bad = Vec::new();
        for (r, path) in files {
            if r <= round {
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => match decode(&bytes) {
                    Ok(entry) => found.push(entry),
                    Err(reason) => bad.push(Unreadable { path, reason }),
                },
                Err(e) => bad.push(Unreadable { path, reason: e.to_string() }),
            }
        }
        Ok((found, bad))
    }

    /// Removes the blocks at or below `round`; returns how many. Safe beside a concurrent
    /// [`BlockJournal::save`] of a later block (temporary files are left alone).
    pub fn prune_through(&self, round: u64) -> Result<usize, NodeError> {
        let mut removed = 0;
        for (r, path) in self.files()?.0 {
            if r <= round {
                std::fs::remove_file(&path).map_err(io_err(&path))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Removes the whole journal (an epoch that ended).
    pub fn remove(&self) -> Result<(), NodeError> {
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(NodeError::Io { path: self.dir.clone(), source }),
        }
    }

    /// The block files with their rounds, in round order, and the temporary files.
    #[allow(clippy::type_complexity)]
    fn files(&self) -> Result<(Vec<(u64, PathBuf)>, Vec<PathBuf>), NodeError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
            Err(source) => return Err(NodeError::Io { path: self.dir.clone(), source }),
        };
        let mut out = Vec::new();
        let mut tmp = Vec::new();
        for entry in entries {
            let path = entry.map_err(io_err(&self.dir))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
            if name.ends_with(".tmp") {
                tmp.push(path);
                continue;
            }
            if !name.ends_with(EXT) {
                continue;
            }
            if let Some(round) = name.split('-').next().and_then(|r| r.parse::<u64>().ok()) {
                out.push((round, path));
            }
        }
        out.sort();
        Ok((out, tmp))
    }
}

fn decode(bytes: &[u8]) -> Result<Entry, String> {
    match bytes.split_first() {
        Some((&JOURNAL_VERSION, body)) => Entry::try_from_slice(body).map_err(|e| e.to_string()),
        Some((v, _)) => Err(format!("unknown journal version {v}")),
        None => Err("empty file".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hechain_consensus::hotstuff::{ProposedBlock, QuorumCert};
    use hechain_crypto::{NodeKey, NodeSignature, Suite};
    use hechain_types::H256;

    fn proposal(round: u64) -> (BlockId, Proposal) {
        let key = NodeKey::from_bytes(Suite::Standard, &[7; 32]).unwrap();
        let block = ProposedBlock {
            round,
            parent: H256([1; 32]),
            justify: QuorumCert { block: H256([1; 32]), round: round - 1, votes: vec![] },
            payload_digest: H256([round as u8; 32]),
            proposer: 0,
        };
        let signature: NodeSignature = key.sign(b"test");
        (H256([round as u8; 32]), Proposal { block, tc: None, signature })
    }

    #[test]
    fn save_load_prune_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let j = BlockJournal::for_epoch(dir.path(), 3);
        assert!(j.load_after(0).unwrap().0.is_empty());
        for r in [5u64, 6, 7] {
            let (id, p) = proposal(r);
            j.save(&id, &p, &[r as u8; 10]).unwrap();
            j.save(&id, &p, &[0; 1]).unwrap(); // already stored: unchanged
        }
        let (got, bad) = j.load_after(5).unwrap();
        assert!(bad.is_empty());
        assert_eq!(got.iter().map(|(p, _)| p.block.round).collect::<Vec<_>>(), vec![6, 7]);
        assert_eq!(got[0].1, vec![6u8; 10]);
        assert_eq!(got[0].0, proposal(6).1);
        // Files are private.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let f = std::fs::read_dir(j.dir()).unwrap().next().unwrap().unwrap();
            assert_eq!(f.metadata().unwrap().permissions().mode() & 0o077, 0);
        }
        // A torn temporary file survives pruning (a save may be writing it) but not loading.
        let tmp = j.dir().join("x.blk.tmp");
        std::fs::write(&tmp, b"junk").unwrap();
        assert_eq!(j.prune_through(0).unwrap(), 0);
        assert!(tmp.exists());
        let corrupt = j.dir().join(BlockJournal::file_name(9, &H256([9; 32])));
        std::fs::write(&corrupt, [JOURNAL_VERSION, 1, 2]).unwrap();
        let (got, bad) = j.load_after(0).unwrap();
        assert!(!tmp.exists());
        assert_eq!(got.len(), 3);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].path, corrupt);
        std::fs::write(&corrupt, [9u8]).unwrap();
        assert!(j.load_after(0).unwrap().1[0].reason.contains("version"));
        assert_eq!(j.prune_through(6).unwrap(), 2); // rounds 5 and 6
        let (got, _) = j.load_after(0).unwrap();
        assert_eq!(got.iter().map(|(p, _)| p.block.round).collect::<Vec<_>>(), vec![7]);
        assert_eq!(j.prune_through(100).unwrap(), 2); // round 7 and the corrupt round 9
        j.remove().unwrap();
        assert!(!j.dir().exists());
        j.remove().unwrap();
    }
}
