//! `hechain gov …`: governance (联盟治理): the committee and its rules, proposals and votes,
//! roles, frozen accounts, permissions, chain parameters and membership.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use hechain_module::cli::{
    address, address_or_signer, decode, page_path, report, CliError, CliFuture, CliHost, CliSpec,
};
use hechain_primitives::display::format_ms;
use hechain_primitives::H256;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde_json::json;

use crate::views::{GovAccount, GovOverview, ProposalPage, ProposalWithVotes};
use crate::{
    Action, ContractChecks, GovConfig, GovernanceCall, GovernanceEvent, GovernanceModule, OrgInfo, Proposal,
    ProposalStatus, Role, ValidatorInfo,
};

/// Governance (联盟治理): committee, proposals and votes, roles, frozen accounts, permissions.
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Show the committee, threshold, voting period, permissions and open proposals.
    Members,
    /// Propose a change (you must be a committee member; your vote counts as yes).
    Propose {
        /// The change.
        #[command(subcommand)]
        change: Change,
        /// Why (recorded with the proposal).
        #[arg(long, global = true, default_value = "")]
        description: String,
    },
    /// Vote on an open proposal (once per proposal).
    Vote {
        /// Proposal id.
        id: u64,
        /// `yes` or `no`.
        choice: String,
    },
    /// List proposals (open ones unless --all).
    List {
        /// Every proposal, whatever its state.
        #[arg(long)]
        all: bool,
        /// List proposals with ids after this one (with --all).
        #[arg(long)]
        after: Option<u64>,
        /// Most proposals to list (with --all).
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Show a proposal and every vote on it.
    Show {
        /// Proposal id.
        id: u64,
    },
    /// Show an account's roles, committee seat and freeze record (default: the --key account).
    Roles {
        /// The account.
        address: Option<String>,
    },
}

/// The change a proposal makes.
#[derive(Subcommand, Debug)]
enum Change {
    /// Grant a role (org_admin, operator, deployer, user).
    GrantRole {
        /// The account.
        account: String,
        /// The role.
        role: String,
    },
    /// Revoke a role.
    RevokeRole {
        /// The account.
        account: String,
        /// The role.
        role: String,
    },
    /// Add a committee member or change its weight.
    SetMember {
        /// The member's account.
        account: String,
        /// Voting weight (> 0).
        weight: u32,
        /// Organisation it represents.
        #[arg(long, default_value = "")]
        org: String,
    },
    /// Remove a committee member.
    RemoveMember {
        /// The member's account.
        account: String,
    },
    /// Freeze an account or contract.
    Freeze {
        /// The account or contract.
        account: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Unfreeze an account or contract.
    Unfreeze {
        /// The account or contract.
        account: String,
    },
    /// Replace the chain parameters with those in a JSON file (`hechain gov members --json`
    /// prints the current ones under `params`).
    SetParams {
        /// JSON file with the complete parameters.
        file: PathBuf,
    },
    /// Replace the permission settings with those in a JSON file.
    SetPermissions {
        /// JSON file with the complete settings.
        file: PathBuf,
    },
    /// Admit an organisation with its CA certificate (nodes it certifies may then be added).
    AddOrg {
        /// Organisation name.
        name: String,
        /// Its CA certificate (PEM file, e.g. DIR/orgs/<name>/ca.crt from `hechain net add-org`).
        #[arg(long)]
        ca_cert: PathBuf,
    },
    /// Remove an organisation (it must run no node any more).
    RemoveOrg {
        /// Organisation name.
        name: String,
    },
    /// Add a validator: the validator set changes after the approving block (a new epoch).
    AddValidator {
        /// Node name.
        name: String,
        /// Node public key (hex; `hechain net add-node` prints it).
        #[arg(long)]
        id: String,
        /// Organisation running it.
        #[arg(long)]
        org: String,
    },
    /// Remove a validator (a new epoch; at least one must remain).
    RemoveValidator {
        /// Node name.
        name: String,
    },
    /// Admit an observer node.
    AddObserver {
        /// Node name.
        name: String,
        /// Node public key (hex).
        #[arg(long)]
        id: String,
        /// Organisation running it.
        #[arg(long)]
        org: String,
    },
    /// Remove an observer node.
    RemoveObserver {
        /// Node name.
        name: String,
    },
    /// Revoke a node's TLS certificate (every node refuses it and drops connections using it).
    RevokeCert {
        /// The certificate (PEM file), e.g. `<node>/tls/node.crt`; or give --fingerprint.
        #[arg(long, conflicts_with = "fingerprint", required_unless_present = "fingerprint")]
        cert: Option<PathBuf>,
        /// SHA-256 fingerprint of the certificate's DER encoding (hex; colons allowed).
        #[arg(long)]
        fingerprint: Option<String>,
        /// Why (recorded).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Set what the contract checks do with a deployment whose code shows hazards.
    SetContractChecks {
        /// `off`, `warn` (the default) or `refuse`.
        mode: String,
    },
    /// Set a service module's setting (e.g. `--module crosschain --setting notary/<network>`,
    /// whose value `hechain xchain notary-committee` prints); an empty value removes it.
    SetModuleSetting {
        /// The module.
        #[arg(long)]
        module: String,
        /// The setting's key within the module (`--setting`: `--key` is the signing key).
        #[arg(long)]
        setting: String,
        /// The value in 0x hex (the module's encoding); `0x` removes the setting.
        #[arg(long)]
        value: String,
    },
    /// Change the approval threshold and voting period.
    SetConfig {
        /// Approval threshold in basis points of the committee's weight (5001 to 10000).
        #[arg(long)]
        threshold_bps: u32,
        /// Voting period: milliseconds, or a number with s, m, h or d (e.g. 3d).
        #[arg(long)]
        voting_period: String,
    },
}

fn parse_duration_ms(s: &str) -> Result<u64, CliError> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "ms"),
    };
    let n: u64 =
        num.parse().map_err(|_| failed(format!("duration {s:?} must be a whole number with ms, s, m, h or d")))?;
    let factor = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        other => return Err(failed(format!("duration {s:?}: unknown unit {other:?} (ms, s, m, h or d)"))),
    };
    n.checked_mul(factor).ok_or_else(|| failed(format!("duration {s:?} is too long")))
}

fn read_json<T: serde::de::DeserializeOwned>(file: &PathBuf, what: &str) -> Result<T, CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| failed(format!("cannot read {}: {e}", file.display())))?;
    serde_json::from_str(&text).map_err(|e| failed(format!("{} is not valid {what} JSON: {e}", file.display())))
}

fn node_info(name: &str, id: &str, org: &str) -> Result<ValidatorInfo, CliError> {
    let hex_id = id.strip_prefix("0x").unwrap_or(id);
    let public_key = hex::decode(hex_id).map_err(|_| failed("--id must be the node public key in hex"))?;
    Ok(ValidatorInfo { name: name.to_string(), public_key, org: org.to_string() })
}

/// The fingerprint to revoke: SHA-256 of the single certificate in `cert`, or `fingerprint`.
fn cert_fingerprint(cert: Option<&PathBuf>, fingerprint: Option<&str>) -> Result<H256, CliError> {
    if let Some(path) = cert {
        let pem = std::fs::read(path).map_err(|e| failed(format!("cannot read {}: {e}", path.display())))?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| failed(format!("{} is not a PEM certificate: {e}", path.display())))?;
        return match certs.first() {
            Some(c) => Ok(H256(hechain_crypto::sha256(c.as_ref()))),
            None => Err(failed(format!("{} holds no certificate", path.display()))),
        };
    }
    let text: String = fingerprint.unwrap_or_default().chars().filter(|c| *c != ':').collect();
    let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(&text))
        .map_err(|_| failed("--fingerprint must be 32 bytes in hex (colons allowed)"))?;
    let fp: [u8; 32] =
        bytes.try_into().map_err(|_| failed("--fingerprint must be 32 bytes (a SHA-256 fingerprint)"))?;
    Ok(H256(fp))
}

fn action_of(change: &Change) -> Result<Action, CliError> {
    let role = |r: &str| Role::parse(r).map_err(failed);
    Ok(match change {
        Change::GrantRole { account, role: r } => {
            Action::GrantRole { account: address(account, "account")?, role: role(r)? }
        }
        Change::RevokeRole { account, role: r } => {
            Action::RevokeRole { account: address(account, "account")?, role: role(r)? }
        }
        Change::SetMember { account, weight, org } => {
            if *weight == 0 {
                return Err(failed("weight must be positive (use remove-member to remove a member)"));
            }
            Action::SetCommitteeMember { account: address(account, "account")?, weight: *weight, org: org.clone() }
        }
        Change::RemoveMember { account } => {
            Action::SetCommitteeMember { account: address(account, "account")?, weight: 0, org: String::new() }
        }
        Change::Freeze { account, reason } => {
            Action::Freeze { account: address(account, "account")?, reason: reason.clone() }
        }
        Change::Unfreeze { account } => Action::Unfreeze { account: address(account, "account")? },
        Change::SetParams { file } => Action::SetParams { params: read_json(file, "chain parameters")? },
        Change::SetPermissions { file } => Action::SetPermissions { permissions: read_json(file, "permissions")? },
        Change::AddOrg { name, ca_cert } => {
            let pem = std::fs::read_to_string(ca_cert)
                .map_err(|e| failed(format!("cannot read {}: {e}", ca_cert.display())))?;
            let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| failed(format!("{} is not a PEM certificate: {e}", ca_cert.display())))?;
            if certs.len() != 1 {
                return Err(failed(format!(
                    "{} must hold exactly one certificate (the organisation's CA)",
                    ca_cert.display()
                )));
            }
            Action::AddOrg { org: OrgInfo { name: name.clone(), ca_cert_pem: pem } }
        }
        Change::RemoveOrg { name } => Action::RemoveOrg { name: name.clone() },
        Change::AddValidator { name, id, org } => Action::AddValidator { node: node_info(name, id, org)? },
        Change::RemoveValidator { name } => Action::RemoveValidator { name: name.clone() },
        Change::AddObserver { name, id, org } => Action::AddObserver { node: node_info(name, id, org)? },
        Change::RemoveObserver { name } => Action::RemoveObserver { name: name.clone() },
        Change::RevokeCert { cert, fingerprint, reason } => Action::RevokeCert {
            fingerprint: cert_fingerprint(cert.as_ref(), fingerprint.as_deref())?,
            reason: reason.clone(),
        },
        Change::SetModuleSetting { module, setting, value } => Action::SetModuleSetting {
            module: module.clone(),
            key: setting.clone(),
            value: hex::decode(value.trim_start_matches("0x"))
                .map_err(|e| failed(format!("--value must be 0x hex: {e}")))?,
        },
        Change::SetContractChecks { mode } => Action::SetContractChecks {
            mode: match mode.as_str() {
                "off" => ContractChecks::Off,
                "warn" => ContractChecks::Warn,
                "refuse" => ContractChecks::Refuse,
                other => return Err(failed(format!("contract checks mode {other:?}: expected off, warn or refuse"))),
            },
        },
        Change::SetConfig { threshold_bps, voting_period } => Action::SetConfig {
            config: GovConfig {
                threshold_bps: *threshold_bps,
                voting_period_ms: parse_duration_ms(voting_period)
                    .map_err(|e| failed(format!("--voting-period: {e}")))?,
            },
        },
    })
}

fn status_text(s: &ProposalStatus) -> String {
    match s {
        ProposalStatus::Open => "open".into(),
        ProposalStatus::Approved { at } => format!("approved at height {}", at.height),
        ProposalStatus::Applied { at } => format!("applied at height {} (tx {})", at.height, at.tx_hash),
        ProposalStatus::Failed { at, reason } => format!("approved at height {} but not applied: {reason}", at.height),
        ProposalStatus::Rejected { at } => format!("rejected at height {}", at.height),
        ProposalStatus::Expired { height, .. } => format!("expired (recorded at height {height})"),
    }
}

fn proposal_line(p: &Proposal) -> String {
    format!(
        "proposal {}: {} by {} — yes {}, no {} of weight {} (threshold {} bps), {}",
        p.id,
        p.action.kind(),
        p.proposer.to_checksum(),
        p.yes_weight,
        p.no_weight,
        p.total_weight,
        p.threshold_bps,
        status_text(&p.status)
    )
}

type Host<'a> = &'a dyn CliHost<GovernanceModule>;

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::Failed(e.to_string())
}

/// The subcommand (`hechain gov …`).
pub fn spec() -> CliSpec<GovernanceModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("gov")
                .about("Governance (联盟治理): committee, proposals and votes, roles, frozen accounts, permissions")
                .subcommand_required(true),
        ),
        run,
    }
}

fn run<'a>(host: Host<'a>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::Members => members(host).await,
            Cmd::Propose { change, description } => {
                let action = action_of(&change)?;
                action.validate(&host.validate_context()).map_err(failed)?;
                let s = host.submit(GovernanceCall::Propose { action, description }).await?;
                let mut what = match s.events.first() {
                    Some(GovernanceEvent::Proposed { id, deadline_ms, .. }) => {
                        format!("proposal {id} made; votes until {}", format_ms(*deadline_ms))
                    }
                    Some(_) | None => "proposed".into(),
                };
                if s.events.iter().any(|e| matches!(e, GovernanceEvent::Approved { .. })) {
                    what.push_str(" (approved already: it applied at the end of its block)");
                }
                Ok(report(host, &what, &s))
            }
            Cmd::Vote { id, choice } => {
                let approve = match choice.to_ascii_lowercase().as_str() {
                    "yes" | "y" => true,
                    "no" | "n" => false,
                    other => return Err(failed(format!("vote {other:?}: say yes or no"))),
                };
                let s = host.submit(GovernanceCall::Vote { proposal: id, approve }).await?;
                let what = if s.events.iter().any(|e| matches!(e, GovernanceEvent::Approved { .. })) {
                    format!("voted {choice} on proposal {id}: approved, applied at the end of block {}", s.height)
                } else if s.events.iter().any(|e| matches!(e, GovernanceEvent::Rejected { .. })) {
                    format!("voted {choice} on proposal {id}: rejected")
                } else {
                    format!("voted {choice} on proposal {id}")
                };
                Ok(report(host, &what, &s))
            }
            Cmd::List { all, after, limit } => {
                let (proposals, next) = if all {
                    let path = page_path("/api/v1/governance/proposals", limit, after);
                    let page: ProposalPage = decode(host.get(&path).await?, "proposal list")?;
                    (page.proposals, page.next_after)
                } else {
                    let g: GovOverview = decode(host.get("/api/v1/governance").await?, "governance overview")?;
                    let mut open = Vec::new();
                    for id in g.open_proposals {
                        let p: ProposalWithVotes =
                            decode(host.get(&format!("/api/v1/governance/proposals/{id}")).await?, "proposal")?;
                        open.push(p.proposal);
                    }
                    (open, None)
                };
                host.emit(&json!({"proposals": proposals, "next_after": next}), &|| {
                    let mut out = format!("{} proposal(s)", proposals.len());
                    for p in &proposals {
                        out.push_str("\n  ");
                        out.push_str(&proposal_line(p));
                    }
                    if let Some(n) = next {
                        out.push_str(&format!("\n  … more: --after {n}"));
                    }
                    out
                });
                Ok(0)
            }
            Cmd::Show { id } => {
                let v = host.get(&format!("/api/v1/governance/proposals/{id}")).await?;
                let p: ProposalWithVotes = decode(v.clone(), "proposal")?;
                host.emit(&v, &|| {
                    let pr = &p.proposal;
                    let mut out = format!(
                        "{}\n  action       {}\n  description  {}\n  proposed     {} (height {}, tx {})\n  deadline     {}",
                        proposal_line(pr),
                        serde_json::to_string(&pr.action).unwrap_or_default(),
                        pr.description,
                        format_ms(pr.created.timestamp_ms),
                        pr.created.height,
                        pr.created.tx_hash,
                        format_ms(pr.deadline_ms)
                    );
                    for v in &p.votes {
                        out.push_str(&format!(
                            "\n  vote {} by {} (weight {}) at height {}, tx {}",
                            if v.approve { "yes" } else { "no " },
                            v.voter.to_checksum(),
                            v.weight,
                            v.at.height,
                            v.at.tx_hash
                        ));
                    }
                    out
                });
                Ok(0)
            }
            Cmd::Roles { address } => {
                let who = address_or_signer(host, address.as_deref(), "address").await?;
                let v = host.get(&format!("/api/v1/governance/accounts/{who}")).await?;
                let a: GovAccount = decode(v.clone(), "account")?;
                host.emit(&v, &|| {
                    let roles: Vec<&str> = a.roles.list().iter().map(|r| r.name()).collect();
                    let mut out = format!(
                        "{}\n  roles      {}",
                        a.address.to_checksum(),
                        if roles.is_empty() { "none".to_string() } else { roles.join(", ") }
                    );
                    if let Some(m) = &a.committee_member {
                        out.push_str(&format!("\n  committee  weight {} ({})", m.weight, m.org));
                    }
                    if let Some(f) = &a.frozen {
                        out.push_str(&format!(
                            "\n  FROZEN     by proposal {} at height {}: {}",
                            f.proposal, f.at.height, f.reason
                        ));
                    }
                    out
                });
                Ok(0)
            }
        }
    })
}

async fn members(host: Host<'_>) -> Result<i32, CliError> {
    let v = host.get("/api/v1/governance").await?;
    let g: GovOverview = decode(v.clone(), "governance overview")?;
    host.emit(&v, &|| {
        let mut out = match &g.config {
            Some(cfg) => format!(
                "committee ({} member(s), threshold {} bps of the weight, voting period {} h)",
                g.committee.len(),
                cfg.threshold_bps,
                cfg.voting_period_ms / 3_600_000
            ),
            None => "this chain has no governance committee".into(),
        };
        for m in &g.committee {
            out.push_str(&format!("\n  {}  weight {}", m.address.to_checksum(), m.weight));
            if !m.org.is_empty() {
                out.push_str(&format!("  ({})", m.org));
            }
        }
        let m = &g.membership;
        out.push_str(&format!(
            "\nmembership epoch {} (since height {})\n  organisations {}",
            m.epoch,
            m.start_height,
            m.orgs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")
        ));
        for (kind, nodes) in [("validator", &m.validators), ("observer", &m.observers)] {
            for n in nodes {
                out.push_str(&format!("\n  {kind:<9} {}  {}  0x{}", n.name, n.org, hex::encode(&n.public_key)));
            }
        }
        out.push_str(&format!(
            "\nopen proposals {:?}\npermissions   {}",
            g.open_proposals,
            serde_json::to_string(&g.permissions).unwrap_or_default()
        ));
        out
    });
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_and_refuse_nonsense() {
        assert_eq!(parse_duration_ms("90000").unwrap(), 90_000);
        assert_eq!(parse_duration_ms("3d").unwrap(), 3 * 86_400_000);
        assert_eq!(parse_duration_ms("2h").unwrap(), 7_200_000);
        assert!(parse_duration_ms("3 weeks").is_err());
        assert!(parse_duration_ms("d").is_err());
        assert!(parse_duration_ms("99999999999999999999d").is_err());
    }

    #[test]
    fn changes_become_actions() {
        let a = "0x00000000000000000000000000000000000000aa";
        let act = action_of(&Change::GrantRole { account: a.into(), role: "deployer".into() }).unwrap();
        assert!(matches!(act, Action::GrantRole { role: Role::Deployer, .. }));
        assert!(action_of(&Change::GrantRole { account: a.into(), role: "king".into() }).is_err());
        assert!(action_of(&Change::SetMember { account: a.into(), weight: 0, org: String::new() }).is_err());
        let act = action_of(&Change::RemoveMember { account: a.into() }).unwrap();
        assert!(matches!(act, Action::SetCommitteeMember { weight: 0, .. }));
    }
}
