//! Dispatch to the service modules, derived from the module list (`hechain-modules`): one
//! `match` per hook, over every listed module, so that a listed module is always wired.

use std::any::Any;

use hechain_module::evm::ModulePrecompile;
use hechain_module::exec::{BlockInfo, CallContext, ModuleExec};
use hechain_module::Module;
use hechain_types::{Address, Event, Payload, H256};
use revm::context::ContextTr;
use revm::database_interface::WrapDatabaseRef;
use revm::interpreter::CallInputs;
use revm::precompile::PrecompileOutput;
use revm::primitives::Log;

use crate::precompile::{self, evm_address};
use crate::state::{run_on_host, ModuleHost, Overlay, StateRead};
use crate::{BlockContext, ExecError};

macro_rules! dispatch {
    ( $( $Variant:ident => $module:ty ),+ $(,)? ) => {
        /// Applies a payload: every module's rule on other modules' calls first
        /// ([`ModuleExec::check_foreign_call`]), then the owning module's
        /// [`ModuleExec::apply`]. The receipt's events are the host's (native transfers) followed
        /// by the module's. `Ok(Err(reason))` refuses the call.
        pub(crate) fn apply_call<R: StateRead + ?Sized>(
            o: &mut Overlay<'_, R>,
            cx: &CallContext,
            payload: &Payload,
        ) -> Result<Result<Vec<Event>, String>, ExecError> {
            let (module, call): (&'static str, &dyn Any) = match payload {
                $( Payload::$Variant(c) => (<$module as Module>::NAME, c), )+
            };
            if let Err(reason) = check_foreign(o, cx, module, call)? {
                return Ok(Err(reason));
            }
            match payload {
                $( Payload::$Variant(c) => {
                    run_on_host(o, Event::$Variant, |host| <$module as ModuleExec>::apply(host, cx, c))
                } )+
            }
        }

        /// Every module's rule on a call of module `module` ([`ModuleExec::check_foreign_call`]);
        /// the first refusal wins.
        pub(crate) fn check_foreign<R: StateRead + ?Sized>(
            o: &Overlay<'_, R>,
            cx: &CallContext,
            module: &'static str,
            call: &dyn Any,
        ) -> Result<Result<(), String>, ExecError> {
            $(
                if let Err(reason) = <$module as ModuleExec>::check_foreign_call(o, cx, module, call)? {
                    return Ok(Err(reason));
                }
            )+
            Ok(Ok(()))
        }

        /// The listed modules' precompile addresses (computed once).
        pub(crate) fn precompile_addresses() -> &'static [(&'static str, Address)] {
            static ADDRESSES: std::sync::OnceLock<Vec<(&'static str, Address)>> = std::sync::OnceLock::new();
            ADDRESSES.get_or_init(|| {
                let mut out = Vec::new();
                $(
                    if let Some(spec) = <$module as ModulePrecompile>::precompile() {
                        out.push((<$module as Module>::NAME, Address(spec.address)));
                    }
                )+
                out
            })
        }

        /// Runs the module precompile at `inputs.bytecode_address`, if one is there.
        pub(crate) fn run_precompile<CTX, D>(
            ctx: &mut CTX,
            inputs: &CallInputs,
            block: BlockContext,
        ) -> Option<(&'static str, Result<PrecompileOutput, ExecError>)>
        where
            CTX: ContextTr<Db = WrapDatabaseRef<D>>,
            D: revm::DatabaseRef<Error = ExecError> + StateRead,
        {
            $(
                if let Some(spec) = <$module as ModulePrecompile>::precompile() {
                    if evm_address(&Address(spec.address)) == inputs.bytecode_address {
                        let name = <$module as Module>::NAME;
                        return Some((name, precompile::module::run::<$module, _, _>(&spec, ctx, inputs, block)));
                    }
                }
            )+
            None
        }

        /// Applies the module-precompile calls a successful transaction logged, module by
        /// module in list order, as contract calls, and returns their events. Each must give
        /// again the log the precompile wrote (the ids it promised the caller). A refusal or a
        /// different log here means a precompile accepted what its module does otherwise: a bug
        /// that fails the block rather than hide.
        pub(crate) fn apply_precompile_logs<R: StateRead + ?Sized>(
            o: &mut Overlay<'_, R>,
            block: BlockContext,
            logs: &[Log],
            tx_hash: H256,
        ) -> Result<Vec<Event>, ExecError> {
            let mut events = Vec::new();
            $(
                if let Some(spec) = <$module as ModulePrecompile>::precompile() {
                    let name = <$module as Module>::NAME;
                    for logged in precompile::module::calls_in_logs::<$module>(&spec, logs.iter()) {
                        let cx = block.contract_call(logged.sender, tx_hash);
                        let mut ev = match apply_call(o, &cx, &Payload::$Variant(logged.call.clone()))? {
                            Ok(ev) => ev,
                            Err(reason) => {
                                return Err(ExecError::Invalid(format!(
                                    "{name} precompile accepted a call the module refuses: {reason}"
                                )))
                            }
                        };
                        let own: Vec<_> = ev
                            .iter()
                            .filter_map(|e| if let Event::$Variant(e) = e { Some(e.clone()) } else { None })
                            .collect();
                        let again = precompile::module::log_of::<$module>(&spec, logged.sender, &logged.call, &own)?;
                        if again.as_ref() != Some(logged.log) {
                            return Err(ExecError::Invalid(format!(
                                "{name} precompile: applying the call at the end of the transaction gives another log than the one it wrote (a promised id differs)"
                            )));
                        }
                        events.append(&mut ev);
                    }
                }
            )+
            Ok(events)
        }

        /// The modules' initial records of a new chain.
        pub(crate) fn genesis_writes() -> Vec<(Vec<u8>, Vec<u8>)> {
            let mut writes = Vec::new();
            $( writes.extend(<$module as ModuleExec>::genesis()); )+
            writes
        }

        /// Every module's end-of-block hook, in list order.
        pub(crate) fn end_block<R: StateRead + ?Sized>(
            o: &mut Overlay<'_, R>,
            block: &BlockInfo,
        ) -> Result<(), ExecError> {
            let mut host = ModuleHost::new(o);
            $( <$module as ModuleExec>::end_block(&mut host, block)?; )+
            Ok(())
        }
    };
}

hechain_modules::for_each_module!(dispatch);
