//! The governance rules in force for a block ([`Policy`]): frozen accounts and contracts, who
//! may send, deploy and use each module. Read once per block from the governance module's state
//! (`hechain_governance::exec`) and applied by execution, the pool and the precompiles.

use hechain_module::exec::StateError;
use hechain_types::governance::exec::{committee, contract_checks, frozen, frozen_count, params, permissions, roles};
use hechain_types::governance::{Access, ChainParams, Committee, ContractChecks, Permissions};
use hechain_types::{keys, Address, Payload};

use crate::state::StateRead;

/// The rules in force for a block, read once: permission settings, the committee, the chain
/// parameters, and whether anything is frozen (so the common case costs no look-ups per
/// transaction). Governance changes apply only between blocks, so one `Policy` holds for a
/// whole block.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Chain parameters.
    pub params: ChainParams,
    /// Permission settings.
    pub permissions: Permissions,
    /// The committee.
    pub committee: Committee,
    /// What the contract checks do with hazardous deployments.
    pub contract_checks: ContractChecks,
    any_frozen: bool,
    all_open: bool,
}

impl Policy {
    /// Reads the rules in force from `s`.
    pub fn load<S: StateRead + ?Sized>(s: &S) -> Result<Policy, StateError> {
        let permissions = permissions(s)?;
        Ok(Policy {
            params: params(s)?,
            all_open: permissions.all_open(),
            permissions,
            committee: committee(s)?,
            contract_checks: contract_checks(s)?,
            any_frozen: frozen_count(s)? > 0,
        })
    }

    /// Whether any account or contract is frozen.
    pub fn any_frozen(&self) -> bool {
        self.any_frozen
    }

    fn check_frozen<S: StateRead + ?Sized>(
        &self,
        s: &S,
        a: &Address,
        what: &str,
    ) -> Result<Result<(), String>, StateError> {
        if !self.any_frozen {
            return Ok(Ok(()));
        }
        Ok(match frozen(s, a)? {
            Some(f) => Err(format!("{what} {a} is frozen by proposal {}: {}", f.proposal, f.reason)),
            None => Ok(()),
        })
    }

    fn check_access<S: StateRead + ?Sized>(
        &self,
        s: &S,
        a: &Address,
        access: &Access,
        what: &str,
    ) -> Result<Result<(), String>, StateError> {
        if *access == Access::Open {
            return Ok(Ok(()));
        }
        let member = self.committee.member(a).is_some();
        Ok(if access.admits(roles(s, a)?, member) {
            Ok(())
        } else {
            Err(format!("not permitted: {a} may not {what} (requires {})", access.describe()))
        })
    }

    /// Whether `sender` may send a native transaction with `payload`.
    pub fn check_native<S: StateRead + ?Sized>(
        &self,
        s: &S,
        sender: &Address,
        payload: &Payload,
    ) -> Result<Result<(), String>, StateError> {
        if let Err(e) = self.check_frozen(s, sender, "account")? {
            return Ok(Err(e));
        }
        // Only members send governance transactions (refused before any fee: they are exempt
        // from the minimum fee), and members govern whatever the permission settings say (they
        // could not repair them otherwise).
        if payload.module() == "governance" {
            return Ok(match self.committee.member(sender) {
                Some(_) => Ok(()),
                None if self.committee.members.is_empty() => {
                    Err("this chain has no governance committee: its rules cannot change".into())
                }
                None => Err(format!("not permitted: only committee members may propose or vote; {sender} is not one")),
            });
        }
        if self.all_open {
            return Ok(Ok(()));
        }
        if let Err(e) = self.check_access(s, sender, &self.permissions.send, "send transactions")? {
            return Ok(Err(e));
        }
        let module = payload.module();
        self.check_access(s, sender, self.permissions.module(module), &format!("use the {module} module"))
    }

    /// Whether `sender` may send an Ethereum transaction to `to` (`None`: a contract creation)
    /// carrying `value`. Value moves native balance, so it needs the `transfer` module's
    /// permission too (value moved by contracts' own calls is not checked).
    pub fn check_eth<S: StateRead + ?Sized>(
        &self,
        s: &S,
        sender: &Address,
        to: Option<&Address>,
        value: u128,
    ) -> Result<Result<(), String>, StateError> {
        if let Err(e) = self.check_frozen(s, sender, "account")? {
            return Ok(Err(e));
        }
        // A frozen contract cannot be called; a frozen account can still receive value (as by a
        // native transfer): freezing stops an account acting, not being paid.
        if let (Some(to), true) = (to, self.any_frozen) {
            if let Err(e) = Self::check_call_frame(s, to, to)? {
                return Ok(Err(e));
            }
        }
        if to.is_none() && !self.params.deploy.allows(sender) {
            return Ok(Err(format!("not permitted: {sender} may not deploy contracts (deploy allow-list)")));
        }
        if self.all_open {
            return Ok(Ok(()));
        }
        if let Err(e) = self.check_access(s, sender, &self.permissions.send, "send transactions")? {
            return Ok(Err(e));
        }
        if value > 0 {
            let access = self.permissions.module("transfer");
            if let Err(e) = self.check_access(s, sender, access, "use the transfer module (move value)")? {
                return Ok(Err(e));
            }
        }
        match to {
            None => self.check_access(s, sender, &self.permissions.deploy, "deploy contracts"),
            Some(_) => Ok(Ok(())),
        }
    }

    /// Whether a call frame may run the code at `code_address` in the account `target` (they
    /// differ for DELEGATECALL): refused if either is a frozen contract. Called for every frame
    /// while anything is frozen, so a frozen contract cannot be reached through another one.
    pub fn check_call_frame<S: StateRead + ?Sized>(
        s: &S,
        target: &Address,
        code_address: &Address,
    ) -> Result<Result<(), String>, StateError> {
        let both = [target, code_address];
        for a in if target == code_address { &both[..1] } else { &both[..] } {
            if let Some(f) = frozen(s, a)? {
                if s.get(&keys::evm_code(a))?.is_some() {
                    return Ok(Err(format!("contract {a} is frozen by proposal {}: {}", f.proposal, f.reason)));
                }
            }
        }
        Ok(Ok(()))
    }

    /// Whether `caller` (an account or a contract) may write through the precompile of `module`.
    pub fn check_module_call<S: StateRead + ?Sized>(
        &self,
        s: &S,
        caller: &Address,
        module: &str,
    ) -> Result<Result<(), String>, StateError> {
        if let Err(e) = self.check_frozen(s, caller, "account")? {
            return Ok(Err(e));
        }
        if self.all_open {
            return Ok(Ok(()));
        }
        self.check_access(s, caller, self.permissions.module(module), &format!("use the {module} module"))
    }
}
