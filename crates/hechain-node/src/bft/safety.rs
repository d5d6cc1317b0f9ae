//! The durable safety state of a validator (last voted round, highest QC).
//!
//! Written with write-to-temporary, fsync, rename, fsync-directory, so after a crash at any
//! instruction the file holds either the old or the new state, never a torn one. The driver
//! writes it before any vote or timeout that depends on it leaves the node.

use std::path::{Path, PathBuf};

use borsh::BorshDeserialize;
use hechain_consensus::hotstuff::SafetyState;

use crate::{io_err, write_private, NodeError};

/// File name inside the data directory.
pub const SAFETY_FILE: &str = "consensus-safety.bin";

/// The safety state file of one validator.
pub struct SafetyFile {
    path: PathBuf,
    tmp: PathBuf,
    dir: PathBuf,
}

impl SafetyFile {
    /// The file of the genesis epoch in `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self::for_epoch(data_dir, 0)
    }

    /// The file of membership epoch `epoch` in `data_dir`: each epoch's consensus has its own
    /// rounds and certificates, so its safety state is kept apart.
    pub fn for_epoch(data_dir: &Path, epoch: u64) -> Self {
        let name = if epoch == 0 { SAFETY_FILE.to_string() } else { format!("consensus-safety-e{epoch}.bin") };
        SafetyFile {
            path: data_dir.join(&name),
            tmp: data_dir.join(format!("{name}.tmp")),
            dir: data_dir.to_path_buf(),
        }
    }

    /// The stored state, `None` if the validator never voted.
    pub fn load(&self) -> Result<Option<SafetyState>, NodeError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => SafetyState::try_from_slice(&bytes)
                .map(Some)
                .map_err(|e| NodeError::BadFile { path: self.path.clone(), reason: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(NodeError::Io { path: self.path.clone(), source }),
        }
    }

    /// Durably replaces the stored state.
    pub fn save(&self, state: &SafetyState) -> Result<(), NodeError> {
        let bytes = borsh::to_vec(state).map_err(io_err(&self.tmp))?;
        write_private(&self.tmp, &bytes)?;
        std::fs::rename(&self.tmp, &self.path).map_err(io_err(&self.path))?;
        std::fs::File::open(&self.dir).and_then(|d| d.sync_all()).map_err(io_err(&self.dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hechain_consensus::hotstuff::QuorumCert;
    use hechain_types::H256;

    #[test]
    fn save_load_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let f = SafetyFile::new(dir.path());
        assert_eq!(f.load().unwrap(), None);
        let s =
            SafetyState { last_voted_round: 9, high_qc: QuorumCert { block: H256([3; 32]), round: 8, votes: vec![] } };
        f.save(&s).unwrap();
        assert_eq!(f.load().unwrap(), Some(s.clone()));
        let s2 = SafetyState { last_voted_round: 10, ..s };
        f.save(&s2).unwrap();
        assert_eq!(f.load().unwrap(), Some(s2));
        std::fs::write(dir.path().join(SAFETY_FILE), b"\x01\x02").unwrap();
        assert!(matches!(f.load(), Err(NodeError::BadFile { .. })));
    }
}
