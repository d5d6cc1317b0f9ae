//! Dispatch to the service modules, derived from the module list (`hechain-modules`): one
//! `match` per hook, over every listed module, so that a listed module is always wired.

use std::any::Any;

use hechain_module::exec::{BlockInfo, CallContext, ModuleExec};
use hechain_module::Module;
use hechain_types::{Event, Payload};

use crate::state::{run_on_host, ModuleHost, Overlay, StateRead};
use crate::ExecError;

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
            $(
                if let Err(reason) = <$module as ModuleExec>::check_foreign_call(&*o, cx, module, call)? {
                    return Ok(Err(reason));
                }
            )+
            match payload {
                $( Payload::$Variant(c) => {
                    run_on_host(o, Event::$Variant, |host| <$module as ModuleExec>::apply(host, cx, c))
                } )+
            }
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
