//! Private key files at rest: the node key (`node.key`), the node's TLS key and the
//! organisations' CA keys (`orgs/<org>/ca.key`), either plain or sealed with SM4 under a
//! passphrase ([`hechain_crypto::sealed`]). `hechain init --suite gm` seals them (国密 storage
//! encryption); any chain may.
//!
//! Where the passphrase comes from, first found wins:
//! 1. `key_passphrase_file` in the node's configuration file (`hechain init --key-passphrase-file`
//!    writes it), for the node's own keys;
//! 2. the file named by `HECHAIN_KEY_PASSPHRASE_FILE`;
//! 3. the value of `HECHAIN_KEY_PASSPHRASE`.
//!
//! A passphrase file holds the passphrase on its first line, and is held to the rules of a
//! private key file (mode 0600). A sealed file without a passphrase, or with a wrong one, stops
//! the start with an error that says so.

use std::path::Path;

use hechain_crypto::keystore::KdfStrength;
use hechain_crypto::sealed;
use zeroize::Zeroizing;

use crate::{read_private, write_private, NodeError};

/// Names a file that holds the key passphrase.
pub const PASSPHRASE_FILE_ENV: &str = "HECHAIN_KEY_PASSPHRASE_FILE";
/// Holds the key passphrase itself (prefer the file: environments leak into process listings).
pub const PASSPHRASE_ENV: &str = "HECHAIN_KEY_PASSPHRASE";

/// A key passphrase (wiped from memory when dropped; never printed).
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase.
    pub fn new(text: impl Into<String>) -> Self {
        Self(Zeroizing::new(text.into()))
    }

    /// The passphrase.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// Reads a passphrase file: its first line.
pub fn read_passphrase_file(path: &Path) -> Result<Passphrase, NodeError> {
    let text = Zeroizing::new(read_private(path)?);
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        return Err(NodeError::BadFile { path: path.to_path_buf(), reason: "the passphrase file is empty".into() });
    }
    Ok(Passphrase::new(line))
}

/// The passphrase of the environment ([`PASSPHRASE_FILE_ENV`], then [`PASSPHRASE_ENV`]), if set.
pub fn env_passphrase() -> Result<Option<Passphrase>, NodeError> {
    if let Some(file) = std::env::var_os(PASSPHRASE_FILE_ENV).filter(|v| !v.is_empty()) {
        return read_passphrase_file(Path::new(&file)).map(Some);
    }
    Ok(std::env::var(PASSPHRASE_ENV).ok().filter(|v| !v.is_empty()).map(Passphrase::new))
}

/// Reads a private key file, unsealing it when it is sealed.
pub fn read_secret(path: &Path, passphrase: Option<&str>) -> Result<Zeroizing<String>, NodeError> {
    let text = Zeroizing::new(read_private(path)?);
    if !sealed::is_sealed(&text) {
        return Ok(text);
    }
    let bad = |reason: String| NodeError::BadFile { path: path.to_path_buf(), reason };
    let Some(pass) = passphrase else {
        return Err(bad(format!(
            "the key is sealed with SM4; give its passphrase: key_passphrase_file in the node's configuration, \
             {PASSPHRASE_FILE_ENV} (a file holding it) or {PASSPHRASE_ENV}"
        )));
    };
    let content = sealed::unseal(&text, pass).map_err(|e| match e {
        hechain_crypto::CryptoError::WrongPassphrase => bad("wrong key passphrase".into()),
        other => bad(other.to_string()),
    })?;
    String::from_utf8(content.to_vec()).map(Zeroizing::new).map_err(|_| bad("the unsealed key is not text".into()))
}

/// Writes a private key file (mode 0600): sealed under `passphrase` when one is given.
pub fn write_secret(path: &Path, text: &str, passphrase: Option<&str>) -> Result<(), NodeError> {
    match passphrase {
        None => write_private(path, text.as_bytes()),
        Some(pass) => {
            let sealed = sealed::seal(text.as_bytes(), pass, KdfStrength::Standard)
                .map_err(|e| NodeError::BadFile { path: path.to_path_buf(), reason: e.to_string() })?;
            write_private(path, sealed.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_need_their_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        write_secret(&path, "-----BEGIN PRIVATE KEY-----\nabc\n", Some("pass")).unwrap();
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert!(sealed::is_sealed(&on_disk) && !on_disk.contains("PRIVATE KEY"));
        assert_eq!(read_secret(&path, Some("pass")).unwrap().as_str(), "-----BEGIN PRIVATE KEY-----\nabc\n");
        let no = read_secret(&path, None).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(no.contains("sealed with SM4") && no.contains(PASSPHRASE_FILE_ENV), "{no}");
        let wrong = read_secret(&path, Some("nope")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(wrong.contains("wrong key passphrase"), "{wrong}");
        // A plain file reads as it is, passphrase or not.
        write_secret(&path, "plain", None).unwrap();
        assert_eq!(read_secret(&path, Some("pass")).unwrap().as_str(), "plain");
    }
}
