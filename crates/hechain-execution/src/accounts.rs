//! Accounts: nonces, balances and native transfers (the transfer module's key space, shared by
//! every transaction kind, native and Ethereum).

use hechain_module::exec::{StateError, StateView};
use hechain_types::{Account, Address, Codec, Event, TransferEvent};

use crate::keys;
use crate::state::{Overlay, StateRead};

/// Loads an account (the zero account when it does not exist yet).
pub fn load<S: StateView + ?Sized>(o: &S, addr: &Address) -> Result<Account, StateError> {
    Ok(hechain_module::exec::read::<Account, _>(o, &keys::account(addr))?.unwrap_or_default())
}

/// Stores an account.
pub fn store<R: StateRead + ?Sized>(o: &mut Overlay<'_, R>, addr: &Address, acc: &Account) {
    o.put(keys::account(addr), acc.encode());
}

/// Moves `amount` from `from` to `to`. `Ok(Err(reason))` is a failed
/// transfer (nothing written); `Err` is a storage failure.
pub fn transfer<R: StateRead + ?Sized>(
    o: &mut Overlay<'_, R>,
    from: &Address,
    to: &Address,
    amount: u128,
) -> Result<Result<Vec<Event>, String>, StateError> {
    let mut src = load(o, from)?;
    if src.balance < amount {
        return Ok(Err(format!("insufficient balance: {} available, {amount} needed", src.balance)));
    }
    if from != to {
        let mut dst = load(o, to)?;
        let Some(new_dst) = dst.balance.checked_add(amount) else {
            return Ok(Err("recipient balance would overflow".into()));
        };
        src.balance -= amount;
        dst.balance = new_dst;
        store(o, from, &src);
        store(o, to, &dst);
    }
    Ok(Ok(vec![Event::Transfer(TransferEvent::Transfer { from: *from, to: *to, amount })]))
}
