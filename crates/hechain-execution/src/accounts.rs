//! Accounts module: nonces, balances and native transfers.

use hechain_types::{Account, Address, Codec, Event};

use crate::state::{Overlay, StateRead};
use crate::{keys, read, ExecError};

/// Loads an account (the zero account when it does not exist yet).
pub fn load<R: StateRead + ?Sized>(o: &Overlay<'_, R>, addr: &Address) -> Result<Account, ExecError> {
    Ok(read::<Account, _>(o, &keys::account(addr))?.unwrap_or_default())
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
) -> Result<Result<Vec<Event>, String>, ExecError> {
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
    Ok(Ok(vec![Event::Transfer { from: *from, to: *to, amount }]))
}
