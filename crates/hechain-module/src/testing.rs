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
