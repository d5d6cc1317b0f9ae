//! The anonymous-signatures rules. Every check comes before the first write.

use hechain_module::exec::{counter, read, CallContext, Host, Outcome, StateError, StateView};
use hechain_primitives::{check_text_field, Address, Codec, H256};

use crate::lsag::{self, RingSignature, MAX_RING};
use crate::{keys, AnonEvent, Poll, Report, Ring};

/// Longest ring name and report topic.
pub const MAX_NAME: usize = 128;
/// Longest poll title.
pub const MAX_TITLE: usize = 256;
/// Longest poll option.
pub const MAX_OPTION: usize = 64;
/// Most options of a poll.
pub const MAX_OPTIONS: usize = 16;

macro_rules! refuse {
    ($($arg:tt)*) => { return Ok(Err(format!($($arg)*))) };
}

/// A ring by id.
pub fn ring<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Ring>, StateError> {
    read(s, &keys::ring(id))
}

/// A poll by id.
pub fn poll<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Poll>, StateError> {
    read(s, &keys::poll(id))
}

/// A report by id.
pub fn report<S: StateView + ?Sized>(s: &S, id: u64) -> Result<Option<Report>, StateError> {
    read(s, &keys::report(id))
}

/// An account's registered ring key.
pub fn ring_key<S: StateView + ?Sized>(s: &S, account: &Address) -> Result<Option<H256>, StateError> {
    match s.get(&keys::ring_key(account))? {
        None => Ok(None),
        Some(v) => v.as_slice().try_into().map(|b| Some(H256(b))).map_err(|_| StateError::Corrupt {
            key: hechain_module::exec::hex_key(&keys::ring_key(account)),
            reason: format!("a ring key is 32 bytes, not {}", v.len()),
        }),
    }
}

/// The topic a poll's votes are linked on: this chain and the poll.
pub fn poll_topic(chain: &H256, poll: u64) -> Vec<u8> {
    let mut t = b"hechain/anon/poll/".to_vec();
    t.extend_from_slice(&chain.0);
    t.extend_from_slice(&poll.to_be_bytes());
    t
}

/// What a vote signs: the option.
pub fn vote_message(option: u32) -> Vec<u8> {
    option.to_be_bytes().to_vec()
}

/// The topic a ring's reports are linked on: this chain, the ring and the report's topic.
pub fn report_topic(chain: &H256, ring: u64, topic: &str) -> Vec<u8> {
    let mut t = b"hechain/anon/report/".to_vec();
    t.extend_from_slice(&chain.0);
    t.extend_from_slice(&ring.to_be_bytes());
    t.extend_from_slice(topic.as_bytes());
    t
}

fn next<H: Host + ?Sized>(host: &mut H, key: &[u8]) -> Result<u64, StateError> {
    let id = counter(host, key)?;
    host.put(key.to_vec(), (id + 1).to_be_bytes().to_vec());
    Ok(id)
}

/// `RegisterKey`.
pub(crate) fn register<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    key: &H256,
) -> Result<Outcome<AnonEvent>, StateError> {
    if let Err(e) = lsag::check_key(key) {
        refuse!("{e}");
    }
    host.put(keys::ring_key(&cx.sender), key.0.to_vec());
    Ok(Ok(vec![AnonEvent::KeyRegistered { account: cx.sender, ring_key: *key }]))
}

/// `CreateRing`.
pub(crate) fn create_ring<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    name: &str,
    members: &[Address],
) -> Result<Outcome<AnonEvent>, StateError> {
    if let Err(e) = check_text_field("name", name, MAX_NAME) {
        refuse!("{e}");
    }
    if members.is_empty() || members.len() > MAX_RING {
        refuse!("a ring has 1 to {MAX_RING} members, not {}", members.len());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut ring_keys = Vec::with_capacity(members.len());
    for m in members {
        if !seen.insert(*m) {
            refuse!("{m} is listed twice");
        }
        let Some(k) = ring_key(host, m)? else {
            refuse!("{m} has no ring key: it registers one first (hechain anon register)")
        };
        ring_keys.push(k);
    }
    let id = next(host, keys::NEXT_RING)?;
    let r = Ring {
        id,
        name: name.into(),
        creator: cx.sender,
        members: members.to_vec(),
        keys: ring_keys,
        chain: cx.block.genesis_hash,
        created: cx.stamp(),
    };
    host.put(keys::ring(id), r.encode());
    Ok(Ok(vec![AnonEvent::RingCreated { ring: id, size: members.len() as u32 }]))
}

/// `CreatePoll`.
pub(crate) fn create_poll<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (ring_id, title, options, closes_at_ms): (u64, &str, &[String], u64),
) -> Result<Outcome<AnonEvent>, StateError> {
    if ring(host, ring_id)?.is_none() {
        refuse!("no ring {ring_id}");
    }
    if let Err(e) = check_text_field("title", title, MAX_TITLE) {
        refuse!("{e}");
    }
    if options.len() < 2 || options.len() > MAX_OPTIONS {
        refuse!("a poll has 2 to {MAX_OPTIONS} options, not {}", options.len());
    }
    for o in options {
        if let Err(e) = check_text_field("option", o, MAX_OPTION) {
            refuse!("{e}");
        }
    }
    if closes_at_ms <= cx.block.timestamp_ms {
        refuse!(
            "the poll would close at {closes_at_ms} ms, not after this block's time ({} ms)",
            cx.block.timestamp_ms
        );
    }
    let id = next(host, keys::NEXT_POLL)?;
    let p = Poll {
        id,
        ring: ring_id,
        title: title.into(),
        options: options.to_vec(),
        tally: vec![0; options.len()],
        chain: cx.block.genesis_hash,
        closes_at_ms,
        creator: cx.sender,
        created: cx.stamp(),
    };
    host.put(keys::poll(id), p.encode());
    Ok(Ok(vec![AnonEvent::PollCreated { poll: id, ring: ring_id }]))
}

/// Every check of a vote against `s`: the poll's ring signature and link tag, and at execution
/// (`now_ms`: the block's time) that the poll is open.
pub fn check_vote<S: StateView + ?Sized>(
    s: &S,
    now_ms: Option<u64>,
    (poll_id, option, tag, signature): (u64, u32, &H256, &[u8]),
) -> Result<Result<(Poll, Ring), String>, StateError> {
    let Some(p) = poll(s, poll_id)? else { refuse!("no poll {poll_id}") };
    if let Some(now) = now_ms.filter(|now| *now >= p.closes_at_ms) {
        refuse!("poll {poll_id} closed at {} ms (this block is at {now} ms)", p.closes_at_ms);
    }
    if option as usize >= p.options.len() {
        refuse!("poll {poll_id} has options 0 to {}, not {option}", p.options.len() - 1);
    }
    if s.get(&keys::poll_tag(poll_id, tag))?.is_some() {
        refuse!("this member already voted in poll {poll_id} (link tag {tag}): one vote per member");
    }
    let Some(r) = ring(s, p.ring)? else {
        return Err(StateError::Invariant(format!("poll {poll_id} of ring {}, which does not exist", p.ring)));
    };
    let sig = match RingSignature::from_bytes(signature, r.keys.len()) {
        Ok(sig) => sig,
        Err(e) => refuse!("{e}"),
    };
    if let Err(e) = lsag::verify(&r.keys, &poll_topic(&p.chain, poll_id), &vote_message(option), tag, &sig) {
        refuse!("{e}");
    }
    Ok(Ok((p, r)))
}

/// `Vote`.
pub(crate) fn vote<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (poll_id, option, tag, signature): (u64, u32, &H256, &[u8]),
) -> Result<Outcome<AnonEvent>, StateError> {
    let (mut p, _) = match check_vote(host, Some(cx.block.timestamp_ms), (poll_id, option, tag, signature))? {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    p.tally[option as usize] += 1;
    host.put(keys::poll(poll_id), p.encode());
    host.put(keys::poll_tag(poll_id, tag), Vec::new());
    Ok(Ok(vec![AnonEvent::Voted { poll: poll_id, option, tag: *tag }]))
}

/// Every check of a report against `s`.
pub fn check_report<S: StateView + ?Sized>(
    s: &S,
    (ring_id, topic, content_hash, tag, signature): (u64, &str, &H256, &H256, &[u8]),
) -> Result<Result<Ring, String>, StateError> {
    if let Err(e) = check_text_field("topic", topic, MAX_NAME) {
        refuse!("{e}");
    }
    let Some(r) = ring(s, ring_id)? else { refuse!("no ring {ring_id}") };
    if let Some(first) = hechain_module::exec::read_u64(s, &keys::report_tag(ring_id, topic, tag))? {
        refuse!("this member of ring {ring_id} already reported on {topic:?} (report {first}, link tag {tag})");
    }
    let sig = match RingSignature::from_bytes(signature, r.keys.len()) {
        Ok(sig) => sig,
        Err(e) => refuse!("{e}"),
    };
    if let Err(e) = lsag::verify(&r.keys, &report_topic(&r.chain, ring_id, topic), &content_hash.0, tag, &sig) {
        refuse!("{e}");
    }
    Ok(Ok(r))
}

/// `Report`.
pub(crate) fn report_call<H: Host + ?Sized>(
    host: &mut H,
    cx: &CallContext,
    (ring_id, topic, content_hash, tag, signature): (u64, &str, &H256, &H256, &[u8]),
) -> Result<Outcome<AnonEvent>, StateError> {
    if let Err(r) = check_report(host, (ring_id, topic, content_hash, tag, signature))? {
        return Ok(Err(r));
    }
    let id = next(host, keys::NEXT_REPORT)?;
    let rep = Report {
        id,
        ring: ring_id,
        topic: topic.into(),
        content_hash: *content_hash,
        tag: *tag,
        signature: signature.to_vec(),
        stamp: cx.stamp(),
    };
    host.put(keys::report(id), rep.encode());
    host.put(keys::report_tag(ring_id, topic, tag), id.to_be_bytes().to_vec());
    host.put(keys::ring_report(ring_id, id), Vec::new());
    Ok(Ok(vec![AnonEvent::Reported { id, ring: ring_id, tag: *tag }]))
}
