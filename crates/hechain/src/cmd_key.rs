//! `hechain key …` and signing-key resolution for every command that signs.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::Subcommand;
use hechain_crypto::keystore::{self, KdfStrength};
use hechain_crypto::{AccountKey, AccountScheme, CryptoError, Suite};
use hechain_types::Address;
use serde_json::json;
use zeroize::Zeroizing;

use crate::output::emit;
use crate::Cli;

#[derive(Subcommand, Debug)]
pub enum KeyCmd {
    /// Create a new key, encrypted with a passphrase (Ethereum keystore v3 for secp256k1).
    New {
        /// Signature scheme: secp256k1 (standard chains) or sm2 (gm chains).
        #[arg(long, default_value = "secp256k1")]
        scheme: AccountScheme,
        /// Use a fast key-derivation setting (for tests and throw-away keys only).
        #[arg(long)]
        light: bool,
        /// Allow an empty passphrase (anyone who gets the file has the key).
        #[arg(long)]
        insecure_empty_passphrase: bool,
    },
    /// List the keys in the keystore directory.
    List,
    /// Import a private key (hex) or a keystore file into the keystore directory.
    Import {
        /// Hex private key, or path of a keystore JSON file.
        source: String,
        /// Scheme of a hex private key.
        #[arg(long, default_value = "secp256k1")]
        scheme: AccountScheme,
        /// Use a fast key-derivation setting.
        #[arg(long)]
        light: bool,
        /// Allow an empty passphrase for a hex private key (anyone who gets the file has the key).
        #[arg(long)]
        insecure_empty_passphrase: bool,
    },
    /// Print a key's private key in hex (handle with care).
    Export {
        /// Address of a key in the keystore, or a keystore file.
        key: String,
    },
}

/// Why a keystore could not be opened or written, as far as the passphrase is concerned.
#[derive(Debug)]
pub enum PassphraseError {
    /// No `HECHAIN_PASSWORD`, standard input is not a terminal, and nothing came on it.
    Unavailable {
        /// What the passphrase was for.
        purpose: String,
    },
    /// The keystore's MAC does not match: the passphrase is wrong.
    Wrong {
        /// The keystore file.
        file: PathBuf,
    },
    /// An empty passphrase for a new keystore without `--insecure-empty-passphrase`.
    Empty,
}

impl std::fmt::Display for PassphraseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PassphraseError::Unavailable { purpose } => write!(
                f,
                "{purpose} needs a passphrase, but HECHAIN_PASSWORD is not set and standard input is not a \
                 terminal: set HECHAIN_PASSWORD (HECHAIN_PASSWORD= for a key made with \
                 --insecure-empty-passphrase), pipe the passphrase on standard input, or run in a terminal"
            ),
            PassphraseError::Wrong { file } => {
                write!(f, "wrong passphrase for {} (keystore MAC mismatch)", file.display())
            }
            PassphraseError::Empty => write!(
                f,
                "refusing to encrypt the key with an empty passphrase: set HECHAIN_PASSWORD or run in a \
                 terminal, or pass --insecure-empty-passphrase to accept that anyone who gets the file has the key"
            ),
        }
    }
}

impl std::error::Error for PassphraseError {}

/// The keystore directory: `--keystore`, else `$HOME/.hechain/keystore`.
pub fn keystore_dir(cli: &Cli) -> PathBuf {
    if let Some(d) = &cli.keystore {
        return d.clone();
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".hechain").join("keystore")
}

/// Reads a passphrase: `HECHAIN_PASSWORD` (even when empty), else a prompt on the terminal,
/// else one line of standard input; [`PassphraseError::Unavailable`] when standard input is
/// not a terminal and ends without a line.
pub fn passphrase(purpose: &str, prompt: &str, confirm: bool) -> anyhow::Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("HECHAIN_PASSWORD") {
        return Ok(Zeroizing::new(p));
    }
    if std::io::stdin().is_terminal() {
        let p = Zeroizing::new(rpassword::prompt_password(prompt).context("reading passphrase")?);
        if confirm {
            let again =
                Zeroizing::new(rpassword::prompt_password("Repeat passphrase: ").context("reading passphrase")?);
            if again != p {
                bail!("the passphrases do not match");
            }
        }
        return Ok(p);
    }
    let mut line = Zeroizing::new(String::new());
    let n = std::io::stdin().lock().read_line(&mut line).context("reading passphrase from standard input")?;
    if n == 0 {
        return Err(PassphraseError::Unavailable { purpose: purpose.to_string() }.into());
    }
    Ok(Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string()))
}

fn is_hex_key(s: &str) -> bool {
    let b = s.strip_prefix("0x").unwrap_or(s);
    b.len() == 64 && b.bytes().all(|c| c.is_ascii_hexdigit())
}

struct KeyFile {
    path: PathBuf,
    address: Address,
    scheme: AccountScheme,
}

fn read_key_file(path: &Path) -> anyhow::Result<KeyFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not a keystore JSON file", path.display()))?;
    let addr =
        v.get("address").and_then(|a| a.as_str()).ok_or_else(|| anyhow!("{}: no address field", path.display()))?;
    let address: Address = addr.parse().with_context(|| format!("{}: bad address", path.display()))?;
    let scheme = match v.get("scheme").and_then(|s| s.as_str()) {
        Some(s) => s.parse().map_err(|e| anyhow!("{}: {e}", path.display()))?,
        None => AccountScheme::Secp256k1,
    };
    Ok(KeyFile { path: path.to_path_buf(), address, scheme })
}

fn list_files(dir: &Path) -> anyhow::Result<Vec<KeyFile>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    for e in entries {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "json") {
            if let Ok(k) = read_key_file(&p) {
                out.push(k);
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn decrypt_file(path: &Path) -> anyhow::Result<AccountKey> {
    warn_if_loose(path);
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let pass =
        passphrase(&format!("decrypting {}", path.display()), &format!("Passphrase for {}: ", path.display()), false)?;
    keystore::decrypt(&text, &pass).map_err(|e| match e {
        CryptoError::WrongPassphrase => PassphraseError::Wrong { file: path.to_path_buf() }.into(),
        e => anyhow::Error::new(e).context(format!("decrypting {}", path.display())),
    })
}

/// Warns (like ssh) about a keystore file that group or others may read.
fn warn_if_loose(path: &Path) {
    if let Err(e @ hechain_node::NodeError::InsecureKeyFile { .. }) = hechain_node::check_private_file(path) {
        eprintln!("warning: {}", e.to_string().replace("refusing to use it", "fix it"));
    }
}

/// Writes a keystore file, created with mode 0600 (never replacing an existing file).
fn write_keystore(path: &Path, json: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(json).and_then(|()| f.sync_all()).with_context(|| format!("writing {}", path.display()))
}

/// Creates the keystore directory (mode 0700 when new).
fn create_keystore_dir(dir: &Path) -> anyhow::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).with_context(|| format!("creating {}", dir.display()))
}

fn find_key(cli: &Cli, spec: &str) -> anyhow::Result<PathBuf> {
    let p = Path::new(spec);
    if p.is_file() {
        return Ok(p.to_path_buf());
    }
    let addr: Address =
        spec.parse().map_err(|_| anyhow!("{spec:?} is neither a hex private key, a keystore file nor an address"))?;
    let dir = keystore_dir(cli);
    list_files(&dir)?
        .into_iter()
        .find(|k| k.address == addr)
        .map(|k| k.path)
        .ok_or_else(|| anyhow!("no key for {addr} in {}", dir.display()))
}

/// The key a signing command uses (see [`Cli::key`]).
pub fn resolve_signer(cli: &Cli, suite: Suite, chain_id: u64) -> anyhow::Result<AccountKey> {
    resolve_key(cli, cli.key.as_ref(), suite, chain_id)
}

/// The key `spec` names (a hex key, a keystore file or an address in the key directory), or on a
/// dev chain its first account when `spec` is `None`.
pub fn resolve_key(cli: &Cli, spec: Option<&String>, suite: Suite, chain_id: u64) -> anyhow::Result<AccountKey> {
    match spec {
        Some(spec) if is_hex_key(spec) => {
            Ok(AccountKey::from_hex(suite.account_scheme(), spec).context("invalid private key")?)
        }
        Some(spec) => {
            let key = decrypt_file(&find_key(cli, spec)?)?;
            if key.scheme() != suite.account_scheme() {
                bail!("the key is {} but this {} chain needs {}", key.scheme(), suite, suite.account_scheme());
            }
            Ok(key)
        }
        None if chain_id == hechain_node::dev::DEV_CHAIN_ID => Ok(hechain_node::dev::dev_account_key(suite, 0)),
        None => bail!("no signing key: pass --key (hex key, keystore file or address) or set HECHAIN_KEY"),
    }
}

fn save(cli: &Cli, key: &AccountKey, light: bool, allow_empty: bool) -> anyhow::Result<PathBuf> {
    let pass = match passphrase("encrypting the new key", "New passphrase: ", true) {
        Ok(p) => p,
        Err(e) if allow_empty && matches!(e.downcast_ref(), Some(PassphraseError::Unavailable { .. })) => {
            Zeroizing::new(String::new())
        }
        Err(e) => return Err(e),
    };
    if pass.is_empty() {
        if !allow_empty {
            return Err(PassphraseError::Empty.into());
        }
        eprintln!("warning: the key is encrypted with an empty passphrase (--insecure-empty-passphrase)");
    }
    let strength = if light { KdfStrength::Light } else { KdfStrength::Standard };
    let json = keystore::encrypt(key, &pass, strength).context("encrypting key")?;
    let dir = keystore_dir(cli);
    create_keystore_dir(&dir)?;
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let path = dir.join(format!("UTC--{secs}--{}.json", hex::encode(key.address())));
    write_keystore(&path, json.as_bytes())?;
    Ok(path)
}

pub async fn run(cli: &Cli, cmd: &KeyCmd) -> anyhow::Result<i32> {
    match cmd {
        KeyCmd::New { scheme, light, insecure_empty_passphrase } => {
            let key = AccountKey::generate(*scheme);
            let path = save(cli, &key, *light, *insecure_empty_passphrase)?;
            let addr = Address(key.address());
            emit(cli.json, &json!({"address": addr, "scheme": scheme.to_string(), "file": path}), || {
                format!("address {}\nscheme  {scheme}\nfile    {}", addr.to_checksum(), path.display())
            });
        }
        KeyCmd::List => {
            let files = list_files(&keystore_dir(cli))?;
            let rows: Vec<_> = files
                .iter()
                .map(|k| json!({"address": k.address, "scheme": k.scheme.to_string(), "file": k.path}))
                .collect();
            emit(cli.json, &rows, || {
                if files.is_empty() {
                    format!("no keys in {}", keystore_dir(cli).display())
                } else {
                    files
                        .iter()
                        .map(|k| {
                            format!("{}  {:<9}  {}", k.address.to_checksum(), k.scheme.to_string(), k.path.display())
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            });
        }
        KeyCmd::Import { source, scheme, light, insecure_empty_passphrase } => {
            let path = if is_hex_key(source) {
                let key = AccountKey::from_hex(*scheme, source).context("invalid private key")?;
                save(cli, &key, *light, *insecure_empty_passphrase)?
            } else {
                let src = Path::new(source);
                read_key_file(src)?;
                decrypt_file(src)?; // proves the file and passphrase are good before importing
                let dir = keystore_dir(cli);
                create_keystore_dir(&dir)?;
                let name = src.file_name().ok_or_else(|| anyhow!("{source}: not a file name"))?;
                let dst = dir.join(name);
                let bytes = std::fs::read(src).with_context(|| format!("reading {}", src.display()))?;
                write_keystore(&dst, &bytes)?;
                dst
            };
            let kf = read_key_file(&path)?;
            emit(cli.json, &json!({"address": kf.address, "file": path}), || {
                format!("imported {} into {}", kf.address.to_checksum(), path.display())
            });
        }
        KeyCmd::Export { key } => {
            let k = decrypt_file(&find_key(cli, key)?)?;
            let secret = format!("0x{}", hex::encode(&k.secret_bytes()[..]));
            if !cli.json {
                eprintln!("warning: anyone who sees this private key controls the account");
            }
            emit(cli.json, &json!({"address": Address(k.address()), "private_key": secret}), || secret.clone());
        }
    }
    Ok(0)
}
