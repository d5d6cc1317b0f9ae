//! `hechain key …` and signing-key resolution for every command that signs.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::Subcommand;
use hechain_crypto::keystore::{self, KdfStrength};
use hechain_crypto::{AccountKey, AccountScheme, Suite};
use hechain_types::Address;
use serde_json::json;

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
    },
    /// Print a key's private key in hex (handle with care).
    Export {
        /// Address of a key in the keystore, or a keystore file.
        key: String,
    },
}

/// The keystore directory: `--keystore`, else `$HOME/.hechain/keystore`.
pub fn keystore_dir(cli: &Cli) -> PathBuf {
    if let Some(d) = &cli.keystore {
        return d.clone();
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".hechain").join("keystore")
}

/// Reads a passphrase: `HECHAIN_PASSWORD`, else a prompt on the terminal,
/// else one line of standard input.
pub fn passphrase(prompt: &str, confirm: bool) -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("HECHAIN_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password(prompt).context("reading passphrase")?;
        if confirm {
            let again = rpassword::prompt_password("Repeat passphrase: ").context("reading passphrase")?;
            if again != p {
                bail!("the passphrases do not match");
            }
        }
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading passphrase from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
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
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let pass = passphrase(&format!("Passphrase for {}: ", path.display()), false)?;
    keystore::decrypt(&text, &pass).with_context(|| format!("decrypting {}", path.display()))
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
    match &cli.key {
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

fn save(cli: &Cli, key: &AccountKey, light: bool) -> anyhow::Result<PathBuf> {
    let pass = passphrase("New passphrase: ", true)?;
    let strength = if light { KdfStrength::Light } else { KdfStrength::Standard };
    let json = keystore::encrypt(key, &pass, strength).context("encrypting key")?;
    let dir = keystore_dir(cli);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let path = dir.join(format!("UTC--{secs}--{}.json", hex::encode(key.address())));
    std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

pub async fn run(cli: &Cli, cmd: &KeyCmd) -> anyhow::Result<i32> {
    match cmd {
        KeyCmd::New { scheme, light } => {
            let key = AccountKey::generate(*scheme);
            let path = save(cli, &key, *light)?;
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
        KeyCmd::Import { source, scheme, light } => {
            let path = if is_hex_key(source) {
                let key = AccountKey::from_hex(*scheme, source).context("invalid private key")?;
                save(cli, &key, *light)?
            } else {
                let src = Path::new(source);
                read_key_file(src)?;
                decrypt_file(src)?; // proves the file and passphrase are good before importing
                let dir = keystore_dir(cli);
                std::fs::create_dir_all(&dir)?;
                let name = src.file_name().ok_or_else(|| anyhow!("{source}: not a file name"))?;
                let dst = dir.join(name);
                std::fs::copy(src, &dst).with_context(|| format!("copying to {}", dst.display()))?;
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
