//! `hechain init`: writes a complete local consortium — one CA per organisation, node keys and
//! TLS certificates, a shared genesis and one configuration file per node.
//!
//! Layout of the output directory:
//!
//! ```text
//! DIR/genesis.json                 the chain's genesis (shared by every node)
//! DIR/orgs/<org>/ca.crt, ca.key    each organisation's CA (keep ca.key offline in production)
//! DIR/<node>.toml                  node configuration (`hechain start --config DIR/<node>.toml`)
//! DIR/<node>/                      node data directory: genesis.json, node.key, tls/, chain.redb
//! ```
//!
//! Nodes are named `<org>-node<i>` (validators) and `<org>-observer<j>`; validators are spread
//! over the organisations round-robin.
//!
//! Joining later: [`add_org`] creates a further organisation's CA in the directory (for a
//! governance `add_org` proposal) and [`add_node`] a node of an organisation — its key, a TLS
//! certificate from the organisation's CA, its data directory and configuration (peers: every
//! node of the directory) — ready to start once governance admits it (`add_validator` /
//! `add_observer`).

use hechain_types::GenesisExt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use hechain_crypto::{NodeKey, Suite};
use hechain_network::OrgCa;
use hechain_types::{Address, ChainParams, Genesis, GenesisAccount, OrgInfo, SuiteTag, ValidatorInfo};

use crate::bft::Role;
use crate::config::{NodeFile, PeerFile};
use crate::dev::{bench_account_key, dev_account_key, DEV_ACCOUNTS, DEV_BALANCE};
use crate::secrets::{read_secret, write_secret, Passphrase};
use crate::{io_err, write_genesis, write_node_key_with, NodeError, GENESIS_FILE, NODE_KEY_FILE};

/// What to create.
#[derive(Clone, Debug)]
pub struct InitSpec {
    /// Output directory (must not exist or be empty).
    pub out: PathBuf,
    /// Number of validators.
    pub validators: usize,
    /// Number of member organisations.
    pub orgs: usize,
    /// Number of observer nodes.
    pub observers: usize,
    /// Cryptographic suite.
    pub suite: Suite,
    /// Chain id.
    pub chain_id: u64,
    /// Host the nodes listen on.
    pub host: IpAddr,
    /// First peer-to-peer port (node `i` gets `p2p_port + i`).
    pub p2p_port: u16,
    /// First API port (node `i` gets `rpc_port + i`).
    pub rpc_port: u16,
    /// Deterministic bench accounts to fund (`hechain bench … --rpc`).
    pub bench_accounts: usize,
    /// Further accounts to fund.
    pub fund: Vec<Address>,
    /// Proposal interval written to the node configs.
    pub block_time_ms: u64,
    /// Base consensus round timeout, written to the genesis (`params.consensus_timeout_ms`).
    pub base_timeout_ms: u64,
    /// Seal every private key written (node keys, TLS keys, CA keys) with SM4 under this
    /// passphrase ([`crate::secrets`]); `None` writes them plain.
    pub key_passphrase: Option<Passphrase>,
    /// Written into every node's configuration as `key_passphrase_file` (where the node finds the
    /// passphrase at start; keep the path absolute).
    pub key_passphrase_file: Option<PathBuf>,
}

impl InitSpec {
    /// Defaults: 4 validators in 4 organisations on 127.0.0.1, ports 30300+ and 8545+.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        InitSpec {
            out: out.into(),
            validators: 4,
            orgs: 4,
            observers: 0,
            suite: Suite::Standard,
            chain_id: 2024,
            host: IpAddr::from([127, 0, 0, 1]),
            p2p_port: 30300,
            rpc_port: 8545,
            bench_accounts: 0,
            fund: Vec::new(),
            block_time_ms: 200,
            base_timeout_ms: 2_000,
            key_passphrase: None,
            key_passphrase_file: None,
        }
    }
}

/// One node written by [`init_consortium`].
#[derive(Clone, Debug)]
pub struct InitNode {
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Its configuration file.
    pub config: PathBuf,
    /// API address.
    pub rpc_addr: SocketAddr,
    /// Peer-to-peer address.
    pub p2p_addr: SocketAddr,
}

/// What [`init_consortium`] wrote.
#[derive(Clone, Debug)]
pub struct InitReport {
    /// The genesis.
    pub genesis: Genesis,
    /// Every node, validators first.
    pub nodes: Vec<InitNode>,
}

fn pem_write(path: &Path, pem: &str) -> Result<(), NodeError> {
    hechain_network::pki::write_pem_file(path, pem).map_err(|e| NodeError::Network(e.to_string()))
}

/// A Prometheus scrape configuration for `nodes` (`prometheus --config.file=DIR/prometheus.yml`;
/// the Grafana dashboard in `deploy/grafana/` reads what it collects).
fn write_scrape_config(path: &Path, nodes: &[InitNode]) -> Result<(), NodeError> {
    let mut s = String::from(
        "# Written by `hechain init`: scrapes every node's /metrics (see deploy/README.md).\n\
         global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: hechain\n    metrics_path: /metrics\n    \
         static_configs:\n",
    );
    for n in nodes {
        s.push_str(&format!(
            "      - targets: [\"{}\"]\n        labels: {{node: {}, role: {}}}\n",
            n.rpc_addr, n.name, n.role
        ));
    }
    std::fs::write(path, s).map_err(io_err(path))
}

/// The configuration files of an `init` directory, sorted by name.
pub fn node_configs(dir: &Path) -> Result<Vec<PathBuf>, NodeError> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let p = e.map_err(io_err(dir))?.path();
        if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// Writes the consortium described by `spec`.
pub fn init_consortium(spec: &InitSpec) -> Result<InitReport, NodeError> {
    if spec.validators == 0 {
        return Err(NodeError::Config("at least one validator is needed".into()));
    }
    if spec.orgs == 0 || spec.orgs > spec.validators {
        return Err(NodeError::Config(format!(
            "--orgs must be between 1 and the number of validators ({}), got {}",
            spec.validators, spec.orgs
        )));
    }
    let total = spec.validators + spec.observers;
    if spec.p2p_port as usize + total > 65_536 || spec.rpc_port as usize + total > 65_536 {
        return Err(NodeError::Config("port range exceeds 65535".into()));
    }
    let out = &spec.out;
    if out.exists() && std::fs::read_dir(out).map_err(io_err(out))?.next().is_some() {
        return Err(NodeError::Config(format!("{} exists and is not empty; choose a new directory", out.display())));
    }
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    let pass = spec.key_passphrase.as_ref().map(|p| p.as_str());

    // Organisations and their CAs.
    let mut cas = Vec::new();
    for k in 1..=spec.orgs {
        let name = format!("org{k}");
        let ca = OrgCa::generate(&name).map_err(|e| NodeError::Network(e.to_string()))?;
        let dir = out.join("orgs").join(&name);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        pem_write(&dir.join("ca.crt"), ca.cert_pem())?;
        write_secret(&dir.join("ca.key"), &ca.key_pem(), pass)?;
        cas.push(ca);
    }

    // Nodes: keys, names, addresses.
    struct Planned {
        name: String,
        role: Role,
        org: usize,
        key: NodeKey,
        p2p: SocketAddr,
        rpc: SocketAddr,
    }
    let mut planned = Vec::new();
    for i in 0..total {
        let (role, org, name) = if i < spec.validators {
            let org = i % spec.orgs;
            (Role::Validator, org, format!("org{}-node{}", org + 1, i))
        } else {
            let j = i - spec.validators;
            let org = j % spec.orgs;
            (Role::Observer, org, format!("org{}-observer{}", org + 1, j))
        };
        planned.push(Planned {
            name,
            role,
            org,
            key: NodeKey::generate(spec.suite),
            p2p: SocketAddr::new(spec.host, spec.p2p_port + i as u16),
            rpc: SocketAddr::new(spec.host, spec.rpc_port + i as u16),
        });
    }

    let info = |p: &Planned| ValidatorInfo {
        name: p.name.clone(),
        public_key: p.key.public_key().as_bytes().to_vec(),
        org: format!("org{}", p.org + 1),
    };
    let mut accounts: Vec<Address> =
        (0..DEV_ACCOUNTS).map(|i| Address(dev_account_key(spec.suite, i).address())).collect();
    accounts.extend((0..spec.bench_accounts).map(|i| Address(bench_account_key(spec.suite, i).address())));
    accounts.extend_from_slice(&spec.fund);
    accounts.sort();
    accounts.dedup();
    let genesis = Genesis {
        chain_id: spec.chain_id,
        suite: SuiteTag(spec.suite),
        timestamp_ms: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0),
        validators: planned.iter().filter(|p| p.role == Role::Validator).map(info).collect(),
        accounts: accounts.into_iter().map(|address| GenesisAccount { address, balance: DEV_BALANCE }).collect(),
        params: ChainParams { consensus_timeout_ms: spec.base_timeout_ms, ..ChainParams::default() },
        orgs: cas
            .iter()
            .map(|c| OrgInfo { name: c.org_name().to_string(), ca_cert_pem: c.cert_pem().to_string() })
            .collect(),
        observers: planned.iter().filter(|p| p.role == Role::Observer).map(info).collect(),
        governance: Some(crate::dev::dev_governance(
            spec.suite,
            &cas.iter().map(|c| c.org_name().to_string()).collect::<Vec<_>>(),
        )),
    };
    genesis.validate().map_err(|e| NodeError::Config(e.to_string()))?;
    write_genesis(&out.join(GENESIS_FILE), &genesis)?;

    let mut nodes = Vec::new();
    for p in &planned {
        let dir = out.join(&p.name);
        let tls = dir.join("tls");
        std::fs::create_dir_all(&tls).map_err(io_err(&tls))?;
        write_genesis(&dir.join(GENESIS_FILE), &genesis)?;
        write_node_key_with(&dir.join(NODE_KEY_FILE), &p.key, pass)?;
        let cert = cas[p.org]
            .issue_node_cert(&p.name, p.key.public_key().as_bytes())
            .map_err(|e| NodeError::Network(e.to_string()))?;
        pem_write(&tls.join("node.crt"), &cert.cert_pem)?;
        write_secret(&tls.join("node.key"), &cert.key_pem, pass)?;
        let peers = planned
            .iter()
            .filter(|q| q.name != p.name)
            .map(|q| PeerFile { name: q.name.clone(), id: q.key.public_key().to_hex(), addr: q.p2p })
            .collect();
        let file = NodeFile {
            name: p.name.clone(),
            role: p.role,
            data_dir: PathBuf::from(&p.name),
            rpc_addr: p.rpc,
            p2p_addr: p.p2p,
            tls_cert: PathBuf::from(&p.name).join("tls/node.crt"),
            tls_key: PathBuf::from(&p.name).join("tls/node.key"),
            block_time_ms: spec.block_time_ms,
            idle_block_ms: 1_000,
            max_block_txs: 50_000,
            peers,
            api: Default::default(),
            pool: Default::default(),
            key_passphrase_file: spec.key_passphrase_file.clone(),
        };
        let config = out.join(format!("{}.toml", p.name));
        file.write(&config)?;
        nodes.push(InitNode { name: p.name.clone(), role: p.role, config, rpc_addr: p.rpc, p2p_addr: p.p2p });
    }
    write_scrape_config(&out.join("prometheus.yml"), &nodes)?;
    Ok(InitReport { genesis, nodes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{read_genesis, read_node_key};

    #[test]
    fn writes_a_consistent_consortium() {
        let dir = tempfile::tempdir().unwrap();
        let mut spec = InitSpec::new(dir.path().join("net"));
        spec.validators = 4;
        spec.orgs = 2;
        spec.observers = 1;
        spec.suite = Suite::Gm;
        spec.bench_accounts = 3;
        let report = init_consortium(&spec).unwrap();
        assert_eq!(report.nodes.len(), 5);
        let g = read_genesis(&spec.out.join(GENESIS_FILE)).unwrap();
        assert_eq!(g, report.genesis);
        assert_eq!((g.validators.len(), g.observers.len(), g.orgs.len()), (4, 1, 2));
        assert_eq!(g.accounts.len(), DEV_ACCOUNTS + 3);
        for (i, n) in report.nodes.iter().enumerate() {
            let file = NodeFile::read(&n.config).unwrap();
            assert_eq!(file.peers.len(), 4, "everyone else is a peer");
            let cfg = file.to_node_config(&spec.out).unwrap();
            let key = read_node_key(&cfg.data_dir.join(NODE_KEY_FILE)).unwrap();
            let listed = if i < 4 { &g.validators[i] } else { &g.observers[0] };
            assert_eq!(listed.public_key, key.public_key().as_bytes());
            assert_eq!(read_genesis(&cfg.data_dir.join(GENESIS_FILE)).unwrap().hash(), g.hash());
            let net = cfg.network.unwrap();
            assert_eq!(net.role, n.role);
            assert!(net.tls_cert_pem.contains("BEGIN CERTIFICATE"));
        }
        // Validators are spread over the orgs.
        assert_eq!(g.validators.iter().filter(|v| v.org == "org1").count(), 2);
        // Prometheus scrapes every node.
        let scrape = std::fs::read_to_string(spec.out.join("prometheus.yml")).unwrap();
        for n in &report.nodes {
            assert!(scrape.contains(&format!("\"{}\"", n.rpc_addr)) && scrape.contains(&n.name), "{scrape}");
        }
        // A second init into the same directory is refused.
        assert!(matches!(init_consortium(&spec), Err(NodeError::Config(_))));
        let mut bad = InitSpec::new(dir.path().join("other"));
        bad.orgs = 5;
        assert!(matches!(init_consortium(&bad), Err(NodeError::Config(_))));
    }

    /// Every secret `init` writes is 0600, and a node refuses a key file others may read.
    #[cfg(unix)]
    #[test]
    fn key_files_are_private_and_loose_ones_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mut spec = InitSpec::new(dir.path().join("net"));
        spec.validators = 1;
        spec.orgs = 1;
        let report = init_consortium(&spec).unwrap();
        let node_dir = spec.out.join(&report.nodes[0].name);
        let secrets = [node_dir.join(NODE_KEY_FILE), node_dir.join("tls/node.key"), spec.out.join("orgs/org1/ca.key")];
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for p in &secrets {
            assert_eq!(mode(p), 0o600, "{}", p.display());
        }
        let file = NodeFile::read(&report.nodes[0].config).unwrap();
        file.to_node_config(&spec.out).unwrap();
        let loosen = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();

        loosen(&secrets[0], 0o644);
        let e = read_node_key(&secrets[0]).unwrap_err();
        assert!(matches!(e, NodeError::InsecureKeyFile { mode: 0o644, .. }), "{e:?}");
        assert!(e.to_string().contains(&format!("chmod 600 {}", secrets[0].display())), "{e}");
        loosen(&secrets[0], 0o600);

        loosen(&secrets[1], 0o640);
        assert!(matches!(file.to_node_config(&spec.out), Err(NodeError::InsecureKeyFile { mode: 0o640, .. })));
        loosen(&secrets[1], 0o600);

        loosen(&secrets[2], 0o604);
        let added = add_node(
            &spec.out,
            "org1",
            "n9",
            Role::Observer,
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
        );
        assert!(matches!(added, Err(NodeError::InsecureKeyFile { mode: 0o604, .. })), "{added:?}");

        // Rewriting a key file that has loose permissions tightens them.
        loosen(&secrets[0], 0o666);
        crate::write_private(&secrets[0], b"{}").unwrap();
        assert_eq!(mode(&secrets[0]), 0o600);
    }

    #[test]
    fn a_renewed_certificate_keeps_the_node_id_and_gets_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let mut spec = InitSpec::new(dir.path().join("net"));
        spec.validators = 1;
        spec.orgs = 1;
        let report = init_consortium(&spec).unwrap();
        let name = &report.nodes[0].name;
        let tls = spec.out.join(name).join("tls");
        let before = (std::fs::read(tls.join("node.crt")).unwrap(), std::fs::read(tls.join("node.key")).unwrap());
        let cert = renew_cert(&spec.out, "org1", name).unwrap();
        assert_eq!(cert, tls.join("node.crt"));
        assert_ne!(std::fs::read(tls.join("node.crt")).unwrap(), before.0);
        assert_ne!(std::fs::read(tls.join("node.key")).unwrap(), before.1);
        // The node starts from it: the certificate names the same node key.
        let file = NodeFile::read(&report.nodes[0].config).unwrap();
        let net = file.to_node_config(&spec.out).unwrap().network.unwrap();
        let id = crate::read_node_key(&spec.out.join(name).join(NODE_KEY_FILE)).unwrap().public_key();
        let leaf = hechain_network::pki::parse_certs_pem(&net.tls_cert_pem).unwrap().remove(0);
        let ee = webpki::EndEntityCert::try_from(&leaf).unwrap();
        let dns = rustls_pki_types::ServerName::try_from(hechain_network::pki::node_dns_name(id.as_bytes())).unwrap();
        assert!(ee.verify_is_valid_for_subject_name(&dns).is_ok());
        // Another organisation's CA name is refused.
        assert!(renew_cert(&spec.out, "org9", name).is_err());
    }

    #[test]
    fn config_errors_are_clear() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("n.toml");
        std::fs::write(&p, "name = 'x'\nrole = 'king'\n").unwrap();
        match NodeFile::read(&p) {
            Err(NodeError::BadFile { reason, .. }) => {
                assert!(reason.contains("king") || reason.contains("variant"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}

/// Creates organisation `name`'s CA in an `init` directory (`DIR/orgs/<name>/ca.crt, ca.key`).
/// The consortium admits it with a governance `add_org` proposal carrying `ca.crt`.
pub fn add_org(dir: &Path, name: &str) -> Result<OrgInfo, NodeError> {
    check_name(name)?;
    let org_dir = dir.join("orgs").join(name);
    if org_dir.exists() {
        return Err(NodeError::Config(format!("{} exists already", org_dir.display())));
    }
    let ca = OrgCa::generate(name).map_err(|e| NodeError::Network(e.to_string()))?;
    std::fs::create_dir_all(&org_dir).map_err(io_err(&org_dir))?;
    let pass = crate::secrets::env_passphrase()?;
    pem_write(&org_dir.join("ca.crt"), ca.cert_pem())?;
    write_secret(&org_dir.join("ca.key"), &ca.key_pem(), pass.as_ref().map(|p| p.as_str()))?;
    Ok(OrgInfo { name: name.to_string(), ca_cert_pem: ca.cert_pem().to_string() })
}

fn check_name(name: &str) -> Result<(), NodeError> {
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(NodeError::Config(format!(
            "name {name:?} must be 1 to 64 characters of letters, digits, '-' and '_'"
        )));
    }
    Ok(())
}

/// What [`add_node`] creates.
#[derive(Clone, Debug)]
pub struct NewNode {
    /// Name, role, configuration and addresses.
    pub node: InitNode,
    /// The node's entry for a governance `add_validator` / `add_observer` proposal.
    pub info: ValidatorInfo,
}

/// Issues node `name` of an `init` directory a fresh TLS certificate from its organisation `org`'s
/// CA (`DIR/orgs/<org>/ca.key`), for the same node key, valid for
/// [`hechain_network::pki::NODE_CERT_DAYS`] from now, replacing `tls/node.crt` and `tls/node.key`.
/// The node uses it from its next start; its peers accept it at once (same CA, same node id).
pub fn renew_cert(dir: &Path, org: &str, name: &str) -> Result<PathBuf, NodeError> {
    check_name(name)?;
    let config = dir.join(format!("{name}.toml"));
    let file = NodeFile::read(&config)?;
    let pass = file.passphrase(dir)?;
    let pass = pass.as_ref().map(|p| p.as_str());
    let node_dir = if file.data_dir.is_absolute() { file.data_dir.clone() } else { dir.join(&file.data_dir) };
    let key = crate::read_node_key_with(&node_dir.join(NODE_KEY_FILE), pass)?;
    let org_dir = dir.join("orgs").join(org);
    let ca_cert = hechain_network::pki::read_pem_file(org_dir.join("ca.crt"))
        .map_err(|e| NodeError::BadFile { path: org_dir.join("ca.crt"), reason: e.to_string() })?;
    let ca_key = read_secret(&org_dir.join("ca.key"), pass)?;
    let ca = OrgCa::from_pem(org, &ca_cert, &ca_key).map_err(|e| NodeError::Network(e.to_string()))?;
    let cert = ca.issue_node_cert(name, key.public_key().as_bytes()).map_err(|e| NodeError::Network(e.to_string()))?;
    let abs = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { dir.join(p) };
    let (cert_path, key_path) = (abs(&file.tls_cert), abs(&file.tls_key));
    write_secret(&key_path, &cert.key_pem, pass)?;
    pem_write(&cert_path, &cert.cert_pem)?;
    Ok(cert_path)
}

/// Creates a further node of organisation `org` in an `init` directory: a new node key, a TLS
/// certificate issued by `DIR/orgs/<org>/ca.key`, its data directory (with the directory's
/// genesis) and `DIR/<name>.toml`, whose peers are every node already configured there.
/// Other nodes refuse it until governance admits it; it then syncs and, as a validator, votes
/// from the epoch its admission starts.
pub fn add_node(
    dir: &Path,
    org: &str,
    name: &str,
    role: Role,
    p2p: SocketAddr,
    rpc: SocketAddr,
) -> Result<NewNode, NodeError> {
    check_name(name)?;
    let genesis = crate::read_genesis(&dir.join(GENESIS_FILE))?;
    let org_dir = dir.join("orgs").join(org);
    let read = |f: &str| {
        let p = org_dir.join(f);
        hechain_network::pki::read_pem_file(&p)
            .map_err(|e| NodeError::BadFile { path: p.clone(), reason: e.to_string() })
    };
    let pass = crate::secrets::env_passphrase()?;
    let pass = pass.as_ref().map(|p| p.as_str());
    let ca_key = read_secret(&org_dir.join("ca.key"), pass)?;
    let ca = OrgCa::from_pem(org, &read("ca.crt")?, &ca_key).map_err(|e| NodeError::Network(e.to_string()))?;
    let config = dir.join(format!("{name}.toml"));
    let node_dir = dir.join(name);
    if config.exists() || node_dir.exists() {
        return Err(NodeError::Config(format!("a node called {name} exists in {} already", dir.display())));
    }
    let mut peers = Vec::new();
    for c in node_configs(dir)? {
        let f = NodeFile::read(&c)?;
        let id = node_id_of(&c, &f)?;
        peers.push(PeerFile { name: f.name, id, addr: f.p2p_addr });
    }
    let key = NodeKey::generate(genesis.suite());
    let tls = node_dir.join("tls");
    std::fs::create_dir_all(&tls).map_err(io_err(&tls))?;
    write_genesis(&node_dir.join(GENESIS_FILE), &genesis)?;
    write_node_key_with(&node_dir.join(NODE_KEY_FILE), &key, pass)?;
    let cert = ca.issue_node_cert(name, key.public_key().as_bytes()).map_err(|e| NodeError::Network(e.to_string()))?;
    pem_write(&tls.join("node.crt"), &cert.cert_pem)?;
    write_secret(&tls.join("node.key"), &cert.key_pem, pass)?;
    let file = NodeFile {
        name: name.to_string(),
        role,
        data_dir: PathBuf::from(name),
        rpc_addr: rpc,
        p2p_addr: p2p,
        tls_cert: PathBuf::from(name).join("tls/node.crt"),
        tls_key: PathBuf::from(name).join("tls/node.key"),
        block_time_ms: 200,
        idle_block_ms: 1_000,
        max_block_txs: 50_000,
        peers,
        api: Default::default(),
        pool: Default::default(),
        key_passphrase_file: None,
    };
    file.write(&config)?;
    Ok(NewNode {
        node: InitNode { name: name.to_string(), role, config, rpc_addr: rpc, p2p_addr: p2p },
        info: ValidatorInfo {
            name: name.to_string(),
            public_key: key.public_key().as_bytes().to_vec(),
            org: org.to_string(),
        },
    })
}

/// The node id of a configured node, from the key in its data directory.
fn node_id_of(config: &Path, f: &NodeFile) -> Result<String, NodeError> {
    let base = config.parent().unwrap_or(Path::new("."));
    let data = if f.data_dir.is_absolute() { f.data_dir.clone() } else { base.join(&f.data_dir) };
    let pass = f.passphrase(base)?;
    let key = crate::read_node_key_with(&data.join(NODE_KEY_FILE), pass.as_ref().map(|p| p.as_str()))?;
    Ok(key.public_key().to_hex())
}
