//! Checks every module runs on itself (in its own tests) and the module list runs on all.

use crate::ModuleEnum;

/// Checks a module's call or event enum against its [`ModuleEnum::TYPES`]: each sample's borsh
/// tag and JSON `type` agree, both encodings round-trip, and the samples cover every variant.
/// Panics with the first mismatch (a test helper).
pub fn check_enum<E: ModuleEnum>(samples: &[E]) {
    let mut seen = vec![false; E::TYPES.len()];
    for s in samples {
        let bytes = borsh::to_vec(s).expect("borsh encoding of an in-memory value");
        let tag = bytes[0] as usize;
        assert!(tag < E::TYPES.len(), "{s:?}: borsh tag {tag} but TYPES has {} entries", E::TYPES.len());
        let json = serde_json::to_value(s).expect("JSON encoding of an in-memory value");
        assert_eq!(json["type"], E::TYPES[tag], "{s:?}: JSON type and TYPES[{tag}] differ");
        assert_eq!(&borsh::from_slice::<E>(&bytes).expect("borsh round trip"), s);
        assert_eq!(&serde_json::from_value::<E>(json).expect("JSON round trip"), s);
        seen[tag] = true;
    }
    let missing: Vec<_> = E::TYPES.iter().zip(&seen).filter(|(_, s)| !**s).map(|(t, _)| *t).collect();
    assert!(missing.is_empty(), "no sample of {missing:?}");
}

/// Checks that no module's key prefix is a prefix of another module's (each module owns a
/// disjoint part of the state key space).
pub fn check_key_spaces(spaces: &[(&str, &[&[u8]])]) -> Result<(), String> {
    for (i, (a, pa)) in spaces.iter().enumerate() {
        for (b, pb) in &spaces[i + 1..] {
            for x in pa.iter() {
                for y in pb.iter() {
                    if x.starts_with(y) || y.starts_with(x) {
                        return Err(format!(
                            "key spaces of {a} ({}) and {b} ({}) overlap",
                            String::from_utf8_lossy(x),
                            String::from_utf8_lossy(y)
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_key_spaces;

    #[test]
    fn overlapping_key_spaces_are_refused() {
        let ok: [(&str, &[&[u8]]); 2] = [("a", &[b"a/"]), ("b", &[b"b/", b"bb/"])];
        assert_eq!(check_key_spaces(&ok), Ok(()));
        let clash: [(&str, &[&[u8]]); 2] = [("a", &[b"a/"]), ("b", &[b"b/", b"a/x/"])];
        assert!(check_key_spaces(&clash).unwrap_err().starts_with("key spaces of a (a/) and b (a/x/) overlap"));
    }
}

/// An in-memory state and host for a module's unit tests: state is a `BTreeMap`, native
/// balances live in [`balances`](Self::balances), and transfers are recorded in order.
#[derive(Clone, Debug, Default)]
pub struct MemHost {
    /// The state.
    pub state: std::collections::BTreeMap<Vec<u8>, Vec<u8>>,
    /// Native balances.
    pub balances: std::collections::BTreeMap<hechain_primitives::Address, u128>,
    /// Transfers made or noted, in order.
    pub transfers: Vec<(hechain_primitives::Address, hechain_primitives::Address, u128)>,
}

impl crate::exec::StateView for MemHost {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, crate::exec::StateError> {
        Ok(self.state.get(key).cloned())
    }
}

impl crate::exec::StateScan for MemHost {
    fn scan(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, crate::exec::StateError> {
        let start = after.unwrap_or(prefix).to_vec();
        Ok(self
            .state
            .range(start..)
            .filter(|(k, _)| Some(k.as_slice()) != after)
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}

impl crate::exec::StateWrite for MemHost {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.state.insert(key, value);
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.state.remove(&key);
    }
}

impl crate::exec::Host for MemHost {
    fn balance(&self, who: &hechain_primitives::Address) -> Result<u128, crate::exec::StateError> {
        Ok(self.balances.get(who).copied().unwrap_or(0))
    }

    fn transfer(
        &mut self,
        from: &hechain_primitives::Address,
        to: &hechain_primitives::Address,
        amount: u128,
    ) -> Result<Result<(), String>, crate::exec::StateError> {
        let have = self.balance(from)?;
        if have < amount {
            return Ok(Err(format!("insufficient balance: {have} available, {amount} needed")));
        }
        *self.balances.entry(*from).or_default() -= amount;
        *self.balances.entry(*to).or_default() += amount;
        self.transfers.push((*from, *to, amount));
        Ok(Ok(()))
    }

    fn note_transfer(&mut self, from: &hechain_primitives::Address, to: &hechain_primitives::Address, amount: u128) {
        self.transfers.push((*from, *to, amount));
    }
}
