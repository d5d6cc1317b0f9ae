//! Binary Merkle trees over ordered lists (transactions and receipts of a block).
//!
//! Leaves are domain-separated from inner nodes (`H(0x00 || item)` vs
//! `H(0x01 || left || right)`), and an odd node at the end of a level is
//! carried up unchanged rather than paired with itself, so no two different
//! lists share a root. The empty list has the all-zero root.

use hechain_crypto::Suite;
use serde::{Deserialize, Serialize};

use hechain_primitives::primitives::H256;
use hechain_primitives::TypesError;

fn leaf(suite: Suite, item: &H256) -> H256 {
    H256(suite.hash_parts(&[&[0u8], &item.0]))
}

fn node(suite: Suite, l: &H256, r: &H256) -> H256 {
    H256(suite.hash_parts(&[&[1u8], &l.0, &r.0]))
}

/// Root of the tree over `items` (already hashes: tx hashes, receipt hashes).
pub fn root(suite: Suite, items: &[H256]) -> H256 {
    if items.is_empty() {
        return H256::ZERO;
    }
    let mut level: Vec<H256> = items.iter().map(|i| leaf(suite, i)).collect();
    while level.len() > 1 {
        level = level.chunks(2).map(|c| if c.len() == 2 { node(suite, &c[0], &c[1]) } else { c[0] }).collect();
    }
    level[0]
}

/// Inclusion proof of one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MerkleProof {
    /// Position of the item.
    pub index: u32,
    /// Number of items in the tree.
    pub count: u32,
    /// Sibling hashes from the leaf level upward (levels where the node was
    /// carried up without a sibling contribute nothing).
    pub siblings: Vec<H256>,
}

/// Builds the proof for `items[index]`.
pub fn prove(suite: Suite, items: &[H256], index: usize) -> Result<MerkleProof, TypesError> {
    if index >= items.len() {
        return Err(TypesError::Invalid(format!("index {index} out of range for {} items", items.len())));
    }
    let mut level: Vec<H256> = items.iter().map(|i| leaf(suite, i)).collect();
    let mut idx = index;
    let mut siblings = Vec::new();
    while level.len() > 1 {
        let sib = idx ^ 1;
        if sib < level.len() {
            siblings.push(level[sib]);
        }
        level = level.chunks(2).map(|c| if c.len() == 2 { node(suite, &c[0], &c[1]) } else { c[0] }).collect();
        idx /= 2;
    }
    Ok(MerkleProof { index: index as u32, count: items.len() as u32, siblings })
}

impl MerkleProof {
    /// Checks that `item` is at `self.index` of a list of `self.count` items with root `root`.
    pub fn verify(&self, suite: Suite, root: &H256, item: &H256) -> Result<(), TypesError> {
        if self.index >= self.count {
            return Err(TypesError::Proof(format!("index {} not below count {}", self.index, self.count)));
        }
        let mut acc = leaf(suite, item);
        let mut idx = self.index as u64;
        let mut width = self.count as u64;
        let mut sibs = self.siblings.iter();
        while width > 1 {
            let sib = idx ^ 1;
            if sib < width {
                let s = sibs.next().ok_or_else(|| TypesError::Proof("too few siblings".into()))?;
                acc = if idx & 1 == 0 { node(suite, &acc, s) } else { node(suite, s, &acc) };
            }
            idx /= 2;
            width = width.div_ceil(2);
        }
        if sibs.next().is_some() {
            return Err(TypesError::Proof("too many siblings".into()));
        }
        if &acc != root {
            return Err(TypesError::Proof("computed root does not match".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn items(n: usize) -> Vec<H256> {
        (0..n).map(|i| H256(Suite::Standard.hash(&(i as u64).to_le_bytes()))).collect()
    }

    #[test]
    fn empty_and_single() {
        assert_eq!(root(Suite::Standard, &[]), H256::ZERO);
        let it = items(1);
        assert_eq!(root(Suite::Standard, &it), leaf(Suite::Standard, &it[0]));
    }

    #[test]
    fn odd_count_is_not_duplicated() {
        let mut it = items(3);
        let r3 = root(Suite::Standard, &it);
        it.push(it[2]);
        assert_ne!(r3, root(Suite::Standard, &it));
    }

    proptest! {
        #[test]
        fn proofs_verify_and_detect_tampering(n in 1usize..70, pick in 0usize..70, flip in 0usize..32) {
            for suite in [Suite::Standard, Suite::Gm] {
                let it = items(n);
                let i = pick % n;
                let r = root(suite, &it);
                let p = prove(suite, &it, i).unwrap();
                prop_assert!(p.verify(suite, &r, &it[i]).is_ok());
                let mut bad = it[i];
                bad.0[flip] ^= 1;
                prop_assert!(p.verify(suite, &r, &bad).is_err());
                if n > 1 {
                    let mut q = p.clone();
                    q.index = ((i + 1) % n) as u32;
                    prop_assert!(q.verify(suite, &r, &it[i]).is_err());
                }
            }
        }
    }
}
