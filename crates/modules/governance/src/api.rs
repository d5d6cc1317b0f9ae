//! The governance module's REST routes (under `/api/v1/governance`).

use hechain_module::api::{
    id_page, schema_ref, Param, ParamIn, ParamKind, Params, QueryError, QueryHost, Reply, Response, Route, ADDRESS,
    AFTER, LIMIT,
};
use hechain_module::exec::{StateError, StateScan};
use hechain_primitives::Codec;

use crate::views::{EpochPage, GovAccount, GovOverview, ProposalPage, ProposalState, ProposalWithVotes};
use crate::{exec, keys, GovernanceModule, Proposal, Vote, MAX_COMMITTEE};

const PROPOSAL_ID: Param = Param {
    name: "id",
    at: ParamIn::Path,
    required: true,
    kind: ParamKind::Id,
    description: "Proposal id (decimal, from 1).",
};

/// The routes.
pub fn routes() -> Vec<Route<GovernanceModule>> {
    vec![
        Route::get(
            "/api/v1/governance",
            "getGovernance",
            "Governance settings, committee, permissions, parameters in force",
            &[],
            Response::Json(schema_ref::<GovOverview>),
            overview,
        ),
        Route::get(
            "/api/v1/governance/proposals",
            "listProposals",
            "Governance proposals, paged",
            &[AFTER, LIMIT],
            Response::Json(schema_ref::<ProposalPage>),
            proposals,
        ),
        Route::get(
            "/api/v1/governance/proposals/{id}",
            "getProposal",
            "A proposal, its state and every vote",
            &[PROPOSAL_ID],
            Response::Json(schema_ref::<ProposalWithVotes>),
            proposal,
        ),
        Route::get(
            "/api/v1/governance/epochs",
            "listEpochs",
            "Membership epochs: the organisations, validators and observers each epoch started with, paged",
            &[AFTER, LIMIT],
            Response::Json(schema_ref::<EpochPage>),
            epochs,
        ),
        Route::get(
            "/api/v1/governance/accounts/{address}",
            "getGovAccount",
            "An account's roles, committee seat and freeze record",
            &[ADDRESS],
            Response::Json(schema_ref::<GovAccount>),
            account,
        ),
    ]
}

type Answer = Result<Reply<hechain_module::record::NoRecords>, QueryError>;

fn overview(host: &dyn QueryHost, _p: &Params) -> Answer {
    let s = host.state();
    Reply::json(&GovOverview {
        height: host.head().height,
        config: exec::config(s)?,
        committee: exec::committee(s)?.members,
        permissions: exec::permissions(s)?,
        params: exec::params(s)?,
        membership: exec::membership(s)?,
        contract_checks: exec::contract_checks(s)?,
        revoked_certs: exec::revoked_certs(s)?.certs,
        open_proposals: exec::open_proposals(s)?.ids,
        next_proposal_id: exec::next_proposal_id(s)?,
    })
}

fn must(state: &dyn StateScan, id: u64) -> Result<Proposal, QueryError> {
    exec::proposal(state, id)?
        .ok_or_else(|| QueryError::not_found("proposal_not_found", format!("no proposal has id {id}")))
}

fn proposals(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, keys::GOV_PROPOSAL_PREFIX)?;
    let proposals = ids.into_iter().map(|id| must(host.state(), id)).collect::<Result<Vec<_>, _>>()?;
    Reply::json(&ProposalPage { proposals, next_after })
}

fn proposal(host: &dyn QueryHost, p: &Params) -> Answer {
    let proposal = must(host.state(), p.id("id")?)?;
    // At most one vote per committee member.
    let votes = host
        .state()
        .scan(&keys::gov_votes_prefix(proposal.id), None, MAX_COMMITTEE + 1)?
        .into_iter()
        .map(|(k, v)| {
            Vote::decode(&v).map_err(|e| StateError::Corrupt {
                key: hechain_module::exec::hex_key(&k),
                reason: format!("vote record does not decode: {e}"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Reply::json(&ProposalWithVotes { status: ProposalState::of(&proposal.status), proposal, votes })
}

fn epochs(host: &dyn QueryHost, p: &Params) -> Answer {
    let (ids, next_after) = id_page(host, p, keys::GOV_EPOCH_PREFIX)?;
    let epochs = ids
        .into_iter()
        .map(|n| {
            exec::epoch_membership(host.state(), n)?.ok_or_else(|| {
                QueryError::from(StateError::Corrupt {
                    key: hechain_module::exec::hex_key(&keys::gov_epoch(n)),
                    reason: "indexed epoch record missing".into(),
                })
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Reply::json(&EpochPage { epochs, next_after })
}

fn account(host: &dyn QueryHost, p: &Params) -> Answer {
    let address = p.address("address")?;
    let s = host.state();
    Reply::json(&GovAccount {
        address,
        roles: exec::roles(s, &address)?,
        committee_member: exec::committee(s)?.member(&address).cloned(),
        frozen: exec::frozen(s, &address)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Membership, ValidatorInfo};
    use hechain_module::exec::BlockInfo;
    use hechain_module::testing::MemHost;

    struct Host(MemHost);

    impl QueryHost for Host {
        fn state(&self) -> &dyn StateScan {
            &self.0
        }
        fn head(&self) -> BlockInfo {
            BlockInfo {
                height: 9,
                timestamp_ms: 9_000,
                suite: hechain_crypto::Suite::Standard,
                genesis_hash: Default::default(),
            }
        }
        fn max_page(&self) -> usize {
            100
        }
    }

    fn node(name: &str) -> ValidatorInfo {
        ValidatorInfo { name: name.into(), public_key: vec![1; 32], org: "org1".into() }
    }

    #[test]
    fn epochs_page_through_every_membership_record() {
        let mut h = MemHost::default();
        let sets = [vec!["v0"], vec!["v0", "v1"], vec!["v1"]];
        for (n, set) in sets.iter().enumerate() {
            let m = Membership {
                epoch: n as u64,
                start_height: [1, 4, 7][n],
                orgs: vec![],
                validators: set.iter().map(|v| node(v)).collect(),
                observers: vec![],
            };
            h.state.insert(keys::gov_epoch(n as u64), m.encode());
        }
        let host = Host(h);
        let route = routes().into_iter().find(|r| r.path == "/api/v1/governance/epochs").expect("route");
        let get = |q: &[(&'static str, &str)]| -> serde_json::Value {
            let p = Params(q.iter().map(|(k, v)| (*k, v.to_string())).collect());
            match (route.handler)(&host, &p).expect("answer") {
                Reply::Json(v) => v,
                Reply::Certificate(_) => panic!("not a certificate route"),
            }
        };
        let first = get(&[("limit", "2")]);
        let epochs: Vec<u64> =
            first["epochs"].as_array().unwrap().iter().map(|m| m["epoch"].as_u64().unwrap()).collect();
        assert_eq!(epochs, [0, 1]);
        assert_eq!(first["next_after"], 1);
        let rest = get(&[("limit", "2"), ("after", "1")]);
        assert_eq!(rest["epochs"][0]["epoch"], 2);
        assert_eq!(rest["epochs"][0]["start_height"], 7);
        assert_eq!(rest["epochs"][0]["validators"][0]["name"], "v1");
        assert!(rest["next_after"].is_null());
    }
}
