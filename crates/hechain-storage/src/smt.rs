//! Authenticated key → value map: a content-addressed binary sparse Merkle
//! tree with compressed ("shortcut") leaves.
//!
//! This is consensus-critical code: the root is a pure function of the set of
//! `(key, value_hash)` pairs, independent of insertion order or batching, and
//! nothing here depends on hash-map iteration order, floats or randomness.
//!
//! # Shape
//!
//! * Keys are 32-byte hashes; bit `i` of a key is
//!   `(key[i / 8] >> (7 - i % 8)) & 1`, `0` = left. Values are represented by
//!   their 32-byte value hashes.
//! * A subtree holding no leaf is the empty subtree, hash [`EMPTY_ROOT`]
//!   (all zeros).
//! * A subtree holding exactly one leaf is that leaf, placed at the shallowest
//!   depth where it is alone. Therefore every internal node has at least two
//!   leaves below it (one of its children may still be empty).
//! * Maximum depth is 256 (the root is at depth 0).
//!
//! # Hashing (domain separated; `H` is injected: SHA-256 or SM3)
//!
//! * leaf: `H(0x00 || key || value_hash)`
//! * internal: `H(0x01 || left || right)`
//!
//! # Storage
//!
//! Nodes are stored content-addressed (node hash → [`Node`]) so that every
//! historical root stays readable and provable. [`apply`] never writes: it
//! returns the nodes it created in a [`TreeUpdate`] and the caller persists
//! them.

use std::collections::{BTreeMap, HashMap};

use hechain_types::smt::{common_prefix_bits, hex_of, preimage};
pub use hechain_types::smt::{
    internal_hash, key_bit, leaf_hash, Hash32, HashFn, Proof, SmtError, EMPTY_ROOT, INTERNAL_TAG, LEAF_TAG, MAX_DEPTH,
    NODE_LEN,
};

/// A tree node, stored under its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Internal node; `left`/`right` are child hashes ([`EMPTY_ROOT`] for an
    /// empty child). Canonically at least two leaves lie below it.
    Internal {
        /// Hash of the left (bit 0) child.
        left: Hash32,
        /// Hash of the right (bit 1) child.
        right: Hash32,
    },
    /// Leaf (possibly a shortcut above depth 256).
    Leaf {
        /// The (hashed) key.
        key: Hash32,
        /// Hash of the value.
        value_hash: Hash32,
    },
}

impl Node {
    /// Hash of the node: `H(0x00 || key || value_hash)` or
    /// `H(0x01 || left || right)`.
    pub fn hash(&self, h: HashFn) -> Hash32 {
        match self {
            Node::Internal { left, right } => internal_hash(h, left, right),
            Node::Leaf { key, value_hash } => leaf_hash(h, key, value_hash),
        }
    }

    /// Compact, versioned encoding: tag byte (`0x00` leaf, `0x01` internal)
    /// followed by the two 32-byte fields. Always 65 bytes; equal to the hash
    /// preimage.
    pub fn encode(&self) -> Vec<u8> {
        self.preimage().to_vec()
    }

    /// Decodes [`Node::encode`] output. Never panics; rejects any other input.
    pub fn decode(bytes: &[u8]) -> Result<Node, SmtError> {
        if bytes.len() != NODE_LEN {
            return Err(SmtError::Corrupt(format!("node encoding has {} bytes, expected {NODE_LEN}", bytes.len())));
        }
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        a.copy_from_slice(&bytes[1..33]);
        b.copy_from_slice(&bytes[33..65]);
        match bytes[0] {
            LEAF_TAG => Ok(Node::Leaf { key: a, value_hash: b }),
            INTERNAL_TAG => Ok(Node::Internal { left: a, right: b }),
            tag => Err(SmtError::Corrupt(format!("unknown node tag 0x{tag:02x}"))),
        }
    }

    fn preimage(&self) -> [u8; NODE_LEN] {
        match self {
            Node::Internal { left, right } => preimage(INTERNAL_TAG, left, right),
            Node::Leaf { key, value_hash } => preimage(LEAF_TAG, key, value_hash),
        }
    }
}

// ---------------------------------------------------------------------------
// Node stores
// ---------------------------------------------------------------------------

/// Where nodes are read from.
pub trait NodeReader {
    /// The node stored under `hash`, if any. Never called with [`EMPTY_ROOT`].
    fn get_node(&self, hash: &Hash32) -> Result<Option<Node>, SmtError>;
}

impl<T: NodeReader + ?Sized> NodeReader for &T {
    fn get_node(&self, hash: &Hash32) -> Result<Option<Node>, SmtError> {
        (**self).get_node(hash)
    }
}

impl NodeReader for BTreeMap<Hash32, Node> {
    fn get_node(&self, hash: &Hash32) -> Result<Option<Node>, SmtError> {
        Ok(self.get(hash).cloned())
    }
}

// Point look-ups only: no iteration, so `HashMap` cannot affect results.
impl<S: std::hash::BuildHasher> NodeReader for HashMap<Hash32, Node, S> {
    fn get_node(&self, hash: &Hash32) -> Result<Option<Node>, SmtError> {
        Ok(self.get(hash).cloned())
    }
}

/// A simple in-memory node store (never prunes).
#[derive(Clone, Debug, Default)]
pub struct MemStore {
    nodes: BTreeMap<Hash32, Node>,
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the nodes of an update.
    pub fn commit(&mut self, update: &TreeUpdate) {
        for (hash, node) in &update.new_nodes {
            self.nodes.insert(*hash, node.clone());
        }
    }

    /// Adds one node.
    pub fn insert(&mut self, hash: Hash32, node: Node) {
        self.nodes.insert(hash, node);
    }

    /// Number of stored nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the store holds no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The stored nodes.
    pub fn nodes(&self) -> &BTreeMap<Hash32, Node> {
        &self.nodes
    }
}

impl NodeReader for MemStore {
    fn get_node(&self, hash: &Hash32) -> Result<Option<Node>, SmtError> {
        Ok(self.nodes.get(hash).cloned())
    }
}

fn load(store: &impl NodeReader, hash: &Hash32) -> Result<Node, SmtError> {
    store.get_node(hash)?.ok_or_else(|| SmtError::MissingNode(hex_of(hash)))
}

// ---------------------------------------------------------------------------
// Batch update
// ---------------------------------------------------------------------------

/// Result of [`apply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeUpdate {
    /// The new root.
    pub root: Hash32,
    /// The nodes created by this batch, each once, in deterministic post-order
    /// (children before parents, left before right). Every one of them is
    /// reachable from `root`; nodes that were already in the old tree are not
    /// repeated (a no-op batch creates none).
    pub new_nodes: Vec<(Hash32, Node)>,
}

/// A subtree during an update.
#[derive(Clone, Copy, Debug)]
enum Sub {
    Empty,
    Leaf {
        key: Hash32,
        value_hash: Hash32,
        hash: Hash32,
    },
    /// Known to be an internal node.
    Internal(Hash32),
    /// Non-empty node from the store whose kind has not been looked at.
    Unloaded(Hash32),
}

impl Sub {
    #[inline]
    fn from_hash(hash: Hash32) -> Sub {
        if hash == EMPTY_ROOT {
            Sub::Empty
        } else {
            Sub::Unloaded(hash)
        }
    }

    #[inline]
    fn hash(&self) -> Hash32 {
        match self {
            Sub::Empty => EMPTY_ROOT,
            Sub::Leaf { hash, .. } | Sub::Internal(hash) | Sub::Unloaded(hash) => *hash,
        }
    }
}

type Op = (Hash32, Option<Hash32>);

struct Updater<'a, S: NodeReader> {
    h: HashFn,
    store: &'a S,
    out: Vec<(Hash32, Node)>,
}

impl<S: NodeReader> Updater<'_, S> {
    /// Applies `batch` (sorted by key, all keys sharing the path to this
    /// position) to `existing`, the subtree at `depth`.
    fn update(&mut self, existing: Sub, depth: usize, batch: &[Op]) -> Result<Sub, SmtError> {
        if batch.is_empty() {
            return Ok(existing);
        }
        match existing {
            Sub::Empty => self.update_small(None, depth, batch),
            Sub::Leaf { key, value_hash, hash } => self.update_small(Some((key, value_hash, hash)), depth, batch),
            Sub::Internal(hash) | Sub::Unloaded(hash) => match load(self.store, &hash)? {
                Node::Leaf { key, value_hash } => {
                    // The leaf must lie on the path to this position.
                    if depth > 0 && common_prefix_bits(&key, &batch[0].0) < depth {
                        return Err(SmtError::Corrupt(format!(
                            "leaf {} stored off its path at depth {depth}",
                            hex_of(&key)
                        )));
                    }
                    self.update_small(Some((key, value_hash, hash)), depth, batch)
                }
                Node::Internal { left, right } => {
                    if depth >= MAX_DEPTH {
                        return Err(SmtError::Corrupt(format!("internal node {} at depth {depth}", hex_of(&hash))));
                    }
                    if left == EMPTY_ROOT && right == EMPTY_ROOT {
                        return Err(SmtError::Corrupt(format!(
                            "internal node {} has two empty children",
                            hex_of(&hash)
                        )));
                    }
                    let mid = batch.partition_point(|(k, _)| key_bit(k, depth) == 0);
                    let l = self.update(Sub::from_hash(left), depth + 1, &batch[..mid])?;
                    let r = self.update(Sub::from_hash(right), depth + 1, &batch[mid..])?;
                    self.combine(l, r, Some(hash))
                }
            },
        }
    }

    /// Applies `batch` to a subtree that is empty or a single leaf.
    fn update_small(
        &mut self,
        leaf: Option<(Hash32, Hash32, Hash32)>,
        depth: usize,
        batch: &[Op],
    ) -> Result<Sub, SmtError> {
        let existing = match leaf {
            None => Sub::Empty,
            Some((key, value_hash, hash)) => Sub::Leaf { key, value_hash, hash },
        };
        if batch.is_empty() {
            return Ok(existing);
        }
        // Whether the existing leaf survives untouched by the batch.
        let leaf_kept = match &leaf {
            Some((k, _, _)) => batch.binary_search_by(|(bk, _)| bk.cmp(k)).is_err(),
            None => false,
        };
        // Count the leaves of the resulting subtree, up to two.
        let mut count = usize::from(leaf_kept);
        let mut single: Option<&Op> = None;
        for op in batch {
            if op.1.is_some() {
                count += 1;
                single = Some(op);
                if count >= 2 {
                    break;
                }
            }
        }
        match count {
            0 => return Ok(Sub::Empty),
            1 => {
                let Some(&(key, Some(value_hash))) = single else {
                    // The only survivor is the untouched existing leaf.
                    return Ok(existing);
                };
                if leaf.is_some_and(|(k, v, _)| k == key && v == value_hash) {
                    return Ok(existing); // overwrite with the same value
                }
                let node = Node::Leaf { key, value_hash };
                let hash = node.hash(self.h);
                self.out.push((hash, node));
                return Ok(Sub::Leaf { key, value_hash, hash });
            }
            _ => {}
        }
        // At least two distinct keys remain: they diverge before depth 256.
        if depth >= MAX_DEPTH {
            return Err(SmtError::Corrupt(format!("keys do not diverge within {MAX_DEPTH} bits")));
        }
        let mid = batch.partition_point(|(k, _)| key_bit(k, depth) == 0);
        let (l_leaf, r_leaf) = match leaf {
            Some(l) if key_bit(&l.0, depth) == 1 => (None, Some(l)),
            other => (other, None),
        };
        let l = self.update_small(l_leaf, depth + 1, &batch[..mid])?;
        let r = self.update_small(r_leaf, depth + 1, &batch[mid..])?;
        self.combine(l, r, None)
    }

    /// Builds the node with children `l` and `r`, lifting a lone leaf.
    /// `orig` is the hash of the internal node previously at this position.
    fn combine(&mut self, l: Sub, r: Sub, orig: Option<Hash32>) -> Result<Sub, SmtError> {
        match (l, r) {
            (Sub::Empty, Sub::Empty) => Ok(Sub::Empty),
            (Sub::Empty, leaf @ Sub::Leaf { .. }) | (leaf @ Sub::Leaf { .. }, Sub::Empty) => Ok(leaf),
            (Sub::Empty, Sub::Unloaded(hash)) | (Sub::Unloaded(hash), Sub::Empty) => {
                // An untouched sibling whose other side emptied: lift it if it
                // is a leaf.
                match load(self.store, &hash)? {
                    Node::Leaf { key, value_hash } => Ok(Sub::Leaf { key, value_hash, hash }),
                    Node::Internal { .. } => Ok(self.internal(l.hash(), r.hash(), orig)),
                }
            }
            _ => Ok(self.internal(l.hash(), r.hash(), orig)),
        }
    }

    fn internal(&mut self, left: Hash32, right: Hash32, orig: Option<Hash32>) -> Sub {
        let hash = internal_hash(self.h, &left, &right);
        if orig != Some(hash) {
            self.out.push((hash, Node::Internal { left, right }));
        }
        Sub::Internal(hash)
    }
}

/// Applies a batch to the tree at `root`: `Some(value_hash)` inserts or
/// overwrites, `None` deletes (deleting an absent key is a no-op).
///
/// The batch is applied as a whole in one recursive pass that splits the
/// sorted batch by path bit, reading and hashing only the affected paths.
/// The store is only read; persist [`TreeUpdate::new_nodes`] to make the new
/// root readable.
pub fn apply(
    h: HashFn,
    store: &impl NodeReader,
    root: Hash32,
    batch: &BTreeMap<Hash32, Option<Hash32>>,
) -> Result<TreeUpdate, SmtError> {
    let ops: Vec<Op> = batch.iter().map(|(k, v)| (*k, *v)).collect();
    let mut up = Updater { h, store, out: Vec::with_capacity(ops.len().saturating_mul(2)) };
    let res = up.update(Sub::from_hash(root), 0, &ops)?;
    Ok(TreeUpdate { root: res.hash(), new_nodes: up.out })
}

// ---------------------------------------------------------------------------
// Reads and proofs
// ---------------------------------------------------------------------------

/// Walks the path of `key` from `root`, calling `on_sibling` with the sibling
/// at each depth; returns the terminal leaf, if any.
fn walk(
    store: &impl NodeReader,
    root: Hash32,
    key: &Hash32,
    mut on_sibling: impl FnMut(Hash32),
) -> Result<Option<(Hash32, Hash32)>, SmtError> {
    let mut cur = root;
    let mut depth = 0usize;
    loop {
        if cur == EMPTY_ROOT {
            return Ok(None);
        }
        match load(store, &cur)? {
            Node::Leaf { key, value_hash } => return Ok(Some((key, value_hash))),
            Node::Internal { left, right } => {
                if depth >= MAX_DEPTH {
                    return Err(SmtError::Corrupt(format!("internal node {} at depth {depth}", hex_of(&cur))));
                }
                let (next, sibling) = if key_bit(key, depth) == 0 { (left, right) } else { (right, left) };
                on_sibling(sibling);
                cur = next;
                depth += 1;
            }
        }
    }
}

/// The value hash stored under `key` in the tree at `root`.
pub fn get(store: &impl NodeReader, root: Hash32, key: &Hash32) -> Result<Option<Hash32>, SmtError> {
    let leaf = walk(store, root, key, |_| {})?;
    Ok(leaf.and_then(|(k, v)| (k == *key).then_some(v)))
}

/// Builds the proof for `key` (inclusion or non-inclusion) under `root`.
pub fn prove(store: &impl NodeReader, root: Hash32, key: &Hash32) -> Result<Proof, SmtError> {
    let mut siblings = Vec::new();
    let leaf = walk(store, root, key, |s| siblings.push(s))?;
    Ok(Proof { siblings, leaf })
}

#[cfg(test)]
#[path = "smt_tests.rs"]
mod tests;
