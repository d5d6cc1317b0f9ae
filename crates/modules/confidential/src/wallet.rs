//! Client side: opening notes and building issues, transfers, splits and settlements with their
//! proofs. Used by the CLI, the bench tool and tests; never by the chain (it draws randomness).

use curve25519_dalek::scalar::Scalar;
use hechain_crypto::Suite;
use hechain_primitives::{Address, H256};
use rand_core::{CryptoRng, RngCore};

use crate::exec::FlowKind;
use crate::proof::{prove, BalanceContext};
use crate::{seal, Flow, Note, NoteKind, Output};

/// A note with its opening.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The note.
    pub note: Note,
    /// Its amount.
    pub value: u64,
    /// Its blinding.
    pub blinding: Scalar,
}

/// Opens a note its owner holds, with the owner's view secret. `cap` is the asset's cap: the
/// first reserve note's opening is public (the cap, blinding 0).
pub fn open(suite: Suite, view: &Scalar, note: &Note, cap: u64) -> Result<Opened, String> {
    let (value, blinding) = if note.sealed.is_empty() && note.kind == NoteKind::Reserve {
        if crate::proof::commit(cap, &Scalar::ZERO) != note.commitment {
            return Err(format!("reserve note {} does not commit to the cap {cap}", note.id));
        }
        (cap, Scalar::ZERO)
    } else {
        seal::open(suite, view, &note.commitment, &note.sealed).map_err(|e| format!("note {}: {e}", note.id))?
    };
    Ok(Opened { note: note.clone(), value, blinding })
}

/// Opens a note as the auditor (its opening sealed to the auditor's view key).
pub fn open_as_auditor(suite: Suite, view: &Scalar, note: &Note, cap: u64) -> Result<Opened, String> {
    if note.sealed_auditor.is_empty() {
        if note.kind == NoteKind::Reserve && note.sealed.is_empty() {
            return open(suite, view, note, cap);
        }
        return Err(format!("note {} was made when no auditor was appointed", note.id));
    }
    let (value, blinding) = seal::open(suite, view, &note.commitment, &note.sealed_auditor)
        .map_err(|e| format!("note {}: {e}", note.id))?;
    Ok(Opened { note: note.clone(), value, blinding })
}

/// Who receives an output, and how much.
#[derive(Clone, Copy, Debug)]
pub struct Pay {
    /// The owner.
    pub to: Address,
    /// Its registered public view key.
    pub view_key: H256,
    /// The amount.
    pub value: u64,
}

/// What a move is made on: the chain (genesis hash and suite), the sender and the auditor.
#[derive(Clone, Copy, Debug)]
pub struct Chain {
    /// The chain's genesis hash.
    pub genesis: H256,
    /// Its suite (the AEAD of sealed openings).
    pub suite: Suite,
    /// The auditor's public view key, if governance appointed one.
    pub auditor: Option<H256>,
}

/// Builds a move: spends `inputs` (opened), pays `outputs`, with the range and balance proofs.
pub fn build<R: RngCore + CryptoRng>(
    chain: &Chain,
    (sender, kind): (Address, FlowKind),
    inputs: &[Opened],
    outputs: &[Pay],
    rng: &mut R,
) -> Result<Flow, String> {
    let total_in: u128 = inputs.iter().map(|o| o.value as u128).sum();
    let total_out: u128 = outputs.iter().map(|p| p.value as u128).sum();
    if total_in != total_out {
        return Err(format!("the notes spent hold {total_in}, the outputs {total_out}"));
    }
    let mut outs = Vec::with_capacity(outputs.len());
    let mut values = Vec::with_capacity(outputs.len());
    let mut blindings = Vec::with_capacity(outputs.len());
    for p in outputs {
        let r = Scalar::random(rng);
        let commitment = crate::proof::commit(p.value, &r);
        let sealed = seal::seal(chain.suite, &p.view_key, &commitment, (p.value, &r), rng)?;
        let sealed_auditor = match &chain.auditor {
            Some(a) => seal::seal(chain.suite, a, &commitment, (p.value, &r), rng)?,
            None => Vec::new(),
        };
        outs.push(Output { owner: p.to, commitment, sealed, sealed_auditor });
        values.push(p.value);
        blindings.push(r);
    }
    let range_proof = prove::range(&values, &blindings, rng)?;
    let ins: Vec<(u64, H256)> = inputs.iter().map(|o| (o.note.id, o.note.commitment)).collect();
    let x = inputs.iter().map(|o| o.blinding).sum::<Scalar>() - blindings.iter().sum::<Scalar>();
    let cx = BalanceContext {
        chain: chain.genesis,
        sender,
        kind: kind.call_type(),
        inputs: &ins,
        outputs: &outs,
        range_proof: &range_proof,
    };
    let balance_proof = prove::balance(&cx, &x, rng)?;
    Ok(Flow { inputs: ins.iter().map(|(id, _)| *id).collect(), outputs: outs, range_proof, balance_proof })
}

/// Chooses notes of `notes` (the largest first) that cover `amount`: the chosen notes and the
/// change. Refuses when they do not suffice or more than [`crate::proof::MAX_INPUTS`] are
/// needed.
pub fn choose(mut notes: Vec<Opened>, amount: u64) -> Result<(Vec<Opened>, u64), String> {
    notes.sort_by(|a, b| b.value.cmp(&a.value).then(a.note.id.cmp(&b.note.id)));
    let mut chosen = Vec::new();
    let mut sum: u128 = 0;
    for n in notes {
        if sum >= amount as u128 {
            break;
        }
        sum += n.value as u128;
        chosen.push(n);
    }
    if sum < amount as u128 {
        return Err(format!("the notes hold {sum} in all, less than {amount}"));
    }
    if chosen.len() > crate::proof::MAX_INPUTS {
        return Err(format!(
            "{amount} needs {} notes, more than one call spends ({}): merge some first with a transfer to yourself",
            chosen.len(),
            crate::proof::MAX_INPUTS
        ));
    }
    let change = u64::try_from(sum - amount as u128).map_err(|_| "the change exceeds 2^64-1".to_string())?;
    Ok((chosen, change))
}

/// The operating system's randomness, for proofs and sealing.
pub fn os_rng() -> rand_core::OsRng {
    rand_core::OsRng
}
