//! Development chains (`hechain dev`): a one-validator genesis with
//! well-known, deterministic funded accounts, like anvil's. Never use these
//! keys for anything of value: their private keys are printed and public.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use hechain_crypto::{AccountKey, NodeKey, Suite};
use hechain_types::{Address, ChainParams, Genesis, GenesisAccount, SuiteTag, ValidatorInfo};

use crate::{read_genesis, read_node_key, write_genesis, NodeError, GENESIS_FILE, NODE_KEY_FILE};

/// Chain id of development chains.
pub const DEV_CHAIN_ID: u64 = 1337;
/// Number of funded dev accounts.
pub const DEV_ACCOUNTS: usize = 10;
/// Balance of each dev account (10^9 whole units of 10^18).
pub const DEV_BALANCE: u128 = 1_000_000_000 * 1_000_000_000_000_000_000;

/// A key derived from a public label: the secret is the suite hash of the
/// label (re-hashed in the negligible case that it is not a valid scalar).
fn derived_key(suite: Suite, label: &str) -> AccountKey {
    let mut seed = suite.hash(label.as_bytes());
    loop {
        if let Ok(k) = AccountKey::from_bytes(suite.account_scheme(), &seed) {
            return k;
        }
        seed = suite.hash(&seed);
    }
}

/// The `i`-th well-known dev account key of a suite (label `"hechain dev account <i>"`).
pub fn dev_account_key(suite: Suite, i: usize) -> AccountKey {
    derived_key(suite, &format!("hechain dev account {i}"))
}

/// Deterministic keys for load generation (`hechain bench`), distinct from the dev accounts.
pub fn bench_account_key(suite: Suite, i: usize) -> AccountKey {
    derived_key(suite, &format!("hechain bench account {i}"))
}

/// A one-validator genesis funding `accounts`.
pub fn dev_genesis(suite: Suite, validator: &NodeKey, accounts: &[Address], balance: u128) -> Genesis {
    let timestamp_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    Genesis {
        chain_id: DEV_CHAIN_ID,
        suite: SuiteTag(suite),
        timestamp_ms,
        validators: vec![ValidatorInfo {
            name: "dev-validator".into(),
            public_key: validator.public_key().as_bytes().to_vec(),
            org: String::new(),
        }],
        accounts: accounts.iter().map(|a| GenesisAccount { address: *a, balance }).collect(),
        params: ChainParams::default(),
        orgs: vec![],
        observers: vec![],
        governance: Some(dev_governance(suite, &[String::new()])),
    }
}

/// Governance of a local chain: dev account `i` represents organisation `orgs[i]` on the
/// committee with weight 1; two-thirds threshold, one-day voting period, everything open.
pub fn dev_governance(suite: Suite, orgs: &[String]) -> hechain_types::GenesisGovernance {
    hechain_types::GenesisGovernance {
        committee: orgs
            .iter()
            .enumerate()
            .map(|(i, org)| hechain_types::CommitteeMember {
                address: Address(dev_account_key(suite, i).address()),
                weight: 1,
                org: org.clone(),
            })
            .collect(),
        config: hechain_types::GovConfig { threshold_bps: 6_666, voting_period_ms: 24 * 3_600_000 },
        roles: vec![],
        permissions: hechain_types::Permissions::default(),
    }
}

/// Makes `dir` a dev data directory, or reuses it if it already is one.
/// New directories get a fresh validator key, the dev accounts and `extra`
/// funded accounts. Returns the genesis in force.
pub fn prepare_dev_dir(dir: &Path, suite: Suite, extra: &[Address]) -> Result<Genesis, NodeError> {
    let gpath = dir.join(GENESIS_FILE);
    let kpath = dir.join(NODE_KEY_FILE);
    if gpath.exists() && kpath.exists() {
        let g = read_genesis(&gpath)?;
        read_node_key(&kpath)?;
        return Ok(g);
    }
    std::fs::create_dir_all(dir).map_err(|source| NodeError::Io { path: dir.to_path_buf(), source })?;
    let key = NodeKey::generate(suite);
    let mut accounts: Vec<Address> = (0..DEV_ACCOUNTS).map(|i| Address(dev_account_key(suite, i).address())).collect();
    accounts.extend_from_slice(extra);
    accounts.sort();
    accounts.dedup();
    let genesis = dev_genesis(suite, &key, &accounts, DEV_BALANCE);
    // A development chain keeps its key plain unless a passphrase is in the environment.
    let pass = crate::secrets::env_passphrase()?;
    crate::write_node_key_with(&kpath, &key, pass.as_ref().map(|p| p.as_str()))?;
    write_genesis(&gpath, &genesis)?;
    Ok(genesis)
}
