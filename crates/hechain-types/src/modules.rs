//! The transaction payload ([`Payload`]) and the receipt event ([`Event`]), gathered from the
//! module list (`hechain-modules`) by `hechain_module::gather_modules!`.

use hechain_module::gather_modules;

use crate::codec::Codec;

hechain_modules::for_each_module!(gather_modules);

/// The chain-wide facts of the stateless checks (the listed module names).
pub const VALIDATE_CONTEXT: hechain_module::ValidateContext<'static> =
    hechain_module::ValidateContext { modules: MODULES };

/// A payload alone is encoded where a contract's native-module operation is logged (the
/// e-certificate precompile).
impl Codec for Payload {}

#[cfg(test)]
mod tests {
    #[test]
    fn the_module_list_is_consistent() {
        super::check_module_list().unwrap();
    }
}
