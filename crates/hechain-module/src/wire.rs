//! Where a module's calls and events sit in the one-byte tag of the chain's payload and event
//! encodings, and the reading and writing that follows from it.
//!
//! The canonical encoding of a payload (and of an event) starts with one tag byte:
//! - the first modules were written before the framework and laid out flat: module `m`'s
//!   variant `i` has tag `base(m) + i` and the variant's fields follow ([`Wire::Flat`]);
//! - modules added since own one tag, followed by the module's own encoding, i.e. its variant
//!   tag and fields ([`Wire::Indexed`]). Such a module may append variants freely.
//!
//! Both keep every encoding ever written decodable: tags are never reused or reordered.

use std::io::{self, Read, Write};

use borsh::{BorshDeserialize, BorshSerialize};

/// A module's place in the tag byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    /// Calls take tags `calls ..`, events take tags `events ..`, one per variant, no second
    /// byte. The ranges are frozen: the variant counts can no longer grow.
    Flat {
        /// Tag of the first call variant.
        calls: u8,
        /// Tag of the first event variant.
        events: u8,
    },
    /// One tag for the module's calls and events alike, then the module's own encoding.
    Indexed(u8),
}

/// Calls or events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The transaction payload.
    Call,
    /// The receipt event.
    Event,
}

/// How a tag that a module owns continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owned {
    /// Flat layout: the module's own variant index.
    Flat(u8),
    /// Indexed layout: the module's own encoding follows.
    Indexed,
}

impl Wire {
    /// Tags this module uses for `kind`, given its number of variants.
    pub fn tags(self, kind: Kind, variants: usize) -> std::ops::Range<u16> {
        match (self, kind) {
            (Wire::Flat { calls, .. }, Kind::Call) => calls as u16..calls as u16 + variants as u16,
            (Wire::Flat { events, .. }, Kind::Event) => events as u16..events as u16 + variants as u16,
            (Wire::Indexed(i), Kind::Call | Kind::Event) => i as u16..i as u16 + 1,
        }
    }

    /// Whether the module owns `tag` for `kind`, and how the encoding continues.
    pub fn owns(self, kind: Kind, tag: u8, variants: usize) -> Option<Owned> {
        match self {
            Wire::Flat { .. } => {
                let range = self.tags(kind, variants);
                range.contains(&(tag as u16)).then(|| Owned::Flat(tag - range.start as u8))
            }
            Wire::Indexed(i) => (tag == i).then_some(Owned::Indexed),
        }
    }
}

/// Writes `value` (a module's call or event enum) in its place.
pub fn write<T: BorshSerialize, W: Write>(wire: Wire, kind: Kind, value: &T, w: &mut W) -> io::Result<()> {
    match (wire, kind) {
        (Wire::Flat { calls: base, .. }, Kind::Call) | (Wire::Flat { events: base, .. }, Kind::Event) => {
            value.serialize(&mut Rebase { inner: w, base, first: true })
        }
        (Wire::Indexed(i), Kind::Call | Kind::Event) => {
            w.write_all(&[i])?;
            value.serialize(w)
        }
    }
}

/// Reads a module's call or event enum whose tag byte (already read) the module owns.
pub fn read<T: BorshDeserialize, R: Read>(owned: Owned, r: &mut R) -> io::Result<T> {
    match owned {
        Owned::Flat(local) => {
            let tag = [local];
            let mut chained = (&tag[..]).chain(r);
            T::deserialize_reader(&mut chained)
        }
        Owned::Indexed => T::deserialize_reader(r),
    }
}

/// Adds `base` to the first byte written (the module's own variant tag).
struct Rebase<'a, W: Write> {
    inner: &'a mut W,
    base: u8,
    first: bool,
}

impl<W: Write> Write for Rebase<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match (self.first, buf.split_first()) {
            (true, Some((tag, rest))) => {
                let tag = tag.checked_add(self.base).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidInput, "module variant tag overflows the flat range")
                })?;
                self.inner.write_all(&[tag])?;
                self.first = false;
                self.inner.write_all(rest)?;
                Ok(buf.len())
            }
            (true, None) | (false, _) => self.inner.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// One listed module's wire facts, for [`check_list`].
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// Module name.
    pub name: &'static str,
    /// Its place.
    pub wire: Wire,
    /// Number of call variants.
    pub calls: usize,
    /// Number of event variants.
    pub events: usize,
}

/// Checks that no tag is owned twice, no name is listed twice, and flat ranges fit in a byte.
pub fn check_list(entries: &[Entry]) -> Result<(), String> {
    for (i, a) in entries.iter().enumerate() {
        for kind in [Kind::Call, Kind::Event] {
            let n = if kind == Kind::Call { a.calls } else { a.events };
            let range = a.wire.tags(kind, n);
            if range.end > 256 {
                return Err(format!("module {}: {kind:?} tags {range:?} do not fit in one byte", a.name));
            }
        }
        for b in &entries[i + 1..] {
            if a.name == b.name {
                return Err(format!("module {} is listed twice", a.name));
            }
            for kind in [Kind::Call, Kind::Event] {
                let (na, nb) = if kind == Kind::Call { (a.calls, b.calls) } else { (a.events, b.events) };
                let (ra, rb) = (a.wire.tags(kind, na), b.wire.tags(kind, nb));
                if ra.start < rb.end && rb.start < ra.end {
                    return Err(format!("modules {} and {} share {kind:?} tags ({ra:?} and {rb:?})", a.name, b.name));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, BorshSerialize, BorshDeserialize)]
    enum Two {
        A(u32),
        B { x: u8 },
    }

    fn roundtrip(wire: Wire, v: Two) -> Vec<u8> {
        let mut bytes = vec![];
        write(wire, Kind::Call, &v, &mut bytes).unwrap();
        let owned = wire.owns(Kind::Call, bytes[0], 2).unwrap();
        let back: Two = read(owned, &mut &bytes[1..]).unwrap();
        assert_eq!(back, v);
        bytes
    }

    #[test]
    fn flat_layout_adds_the_base_to_the_variant_tag() {
        assert_eq!(roundtrip(Wire::Flat { calls: 5, events: 0 }, Two::A(7)), [5, 7, 0, 0, 0]);
        assert_eq!(roundtrip(Wire::Flat { calls: 5, events: 0 }, Two::B { x: 9 }), [6, 9]);
        assert_eq!(Wire::Flat { calls: 5, events: 0 }.owns(Kind::Call, 7, 2), None);
        assert_eq!(Wire::Flat { calls: 5, events: 0 }.owns(Kind::Call, 4, 2), None);
    }

    #[test]
    fn indexed_layout_prefixes_the_module_tag() {
        assert_eq!(roundtrip(Wire::Indexed(28), Two::B { x: 9 }), [28, 1, 9]);
        assert_eq!(Wire::Indexed(28).owns(Kind::Event, 29, 2), None);
    }

    #[test]
    fn overlapping_lists_are_refused() {
        let e = |name, wire, calls| Entry { name, wire, calls, events: 1 };
        let ok = [e("a", Wire::Flat { calls: 0, events: 0 }, 2), e("b", Wire::Indexed(2), 3)];
        assert_eq!(check_list(&ok), Ok(()));
        let clash = [e("a", Wire::Flat { calls: 0, events: 0 }, 3), e("b", Wire::Indexed(2), 1)];
        assert!(check_list(&clash).unwrap_err().contains("share Call tags"));
        let twice = [e("a", Wire::Indexed(1), 1), e("a", Wire::Indexed(2), 1)];
        assert!(check_list(&twice).unwrap_err().contains("listed twice"));
    }
}
