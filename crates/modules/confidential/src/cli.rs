//! `hechain confidential …`: the wallet of confidential amounts. The view key is derived from the
//! signing key (`--key`), so the wallet keeps no state: it opens the notes it holds from the
//! chain each time.

use std::path::PathBuf;

use clap::{FromArgMatches, Subcommand};
use curve25519_dalek::scalar::Scalar;
use hechain_module::cli::{decode, perform, report, CliAction, CliError, CliFuture, CliHost, CliSpec};
use hechain_primitives::{Address, H256};
use serde::Deserialize;
use serde_json::json;

use crate::exec::FlowKind;
use crate::wallet::{self, Chain, Opened, Pay};
use crate::{seal, Asset, ConfidentialCall, ConfidentialModule, Note, NoteKind};

/// Confidential amounts (隐藏金额).
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print this account's public view key (give it to the committee to appoint an auditor).
    ViewKey,
    /// Register this account's view key, so that notes can be sealed to it.
    Register,
    /// Create an asset with a public cap (the issuer's reserve holds the whole cap).
    CreateAsset {
        /// Name.
        #[arg(long)]
        name: String,
        /// Most that can ever be outstanding (smallest unit).
        #[arg(long)]
        cap: u64,
    },
    /// Issue a note of an asset to a holder from the reserve (the issuer).
    Issue {
        /// Asset id.
        #[arg(long)]
        asset: u64,
        /// Holder.
        #[arg(long)]
        to: Address,
        /// Amount (hidden on chain).
        #[arg(long)]
        amount: u64,
    },
    /// Pay an amount of an asset from your notes (the change comes back as a new note).
    Transfer {
        /// Asset id.
        #[arg(long)]
        asset: u64,
        /// Recipient.
        #[arg(long)]
        to: Address,
        /// Amount (hidden on chain).
        #[arg(long)]
        amount: u64,
    },
    /// Split one of your notes into notes of the given amounts (they must add up to it).
    Split {
        /// Note id.
        note: u64,
        /// The amounts, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        amounts: Vec<u64>,
    },
    /// Settle your notes of an asset with its issuer (all of them, or the ones named).
    Settle {
        /// Asset id.
        #[arg(long)]
        asset: u64,
        /// Note ids (default: all your notes of the asset, up to 16).
        #[arg(long, value_delimiter = ',')]
        notes: Vec<u64>,
    },
    /// Your unspent notes, opened with your view key.
    Notes {
        /// Only this asset.
        #[arg(long)]
        asset: Option<u64>,
        /// Every note of the asset you own or owned, spent and settled ones included (with
        /// `--asset`): what an issuer reads to learn what a settlement asks it to pay.
        #[arg(long, requires = "asset")]
        all: bool,
    },
    /// Open every note of an asset with the auditor's view key (your key, if governance
    /// appointed you) and check that they add up to the cap.
    Audit {
        /// Asset id.
        asset: u64,
    },
    /// An asset.
    Asset {
        /// Asset id.
        id: u64,
    },
    /// A note as the chain holds it (commitment, no amount).
    Note {
        /// Note id.
        id: u64,
    },
    /// Save a note's offline-verifiable certificate.
    Certificate {
        /// Note id.
        id: u64,
        /// File to write.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Verify a saved certificate offline (exit 0 valid, 1 invalid, 2 unverifiable).
    VerifyCert {
        /// The certificate file.
        cert: PathBuf,
        /// The chain's genesis file (default: fetched from the node).
        #[arg(long)]
        genesis: Option<PathBuf>,
    },
}

/// The subcommand.
pub fn spec() -> CliSpec<ConfidentialModule> {
    CliSpec {
        command: Cmd::augment_subcommands(
            clap::Command::new("confidential")
                .about("Confidential amounts (隐藏金额): issue, pay, split and settle notes whose amounts only holders and the auditor see")
                .subcommand_required(true),
        ),
        run,
    }
}

type Host<'a> = &'a dyn CliHost<ConfidentialModule>;

#[derive(Deserialize)]
struct Params {
    chain: H256,
    suite: String,
    auditor: Option<H256>,
}

#[derive(Deserialize)]
struct NotePage {
    notes: Vec<Note>,
    next_after: Option<u64>,
}

/// The chain's facts and the signer's view secret.
struct Wallet {
    chain: Chain,
    view: Scalar,
    me: Address,
}

/// The signer's view secret.
async fn my_view(host: Host<'_>) -> Result<Scalar, CliError> {
    let derived = host.derive_secret(seal::VIEW_KEY_PURPOSE).await?;
    Ok(seal::view_secret(&derived))
}

async fn wallet(host: Host<'_>) -> Result<Wallet, CliError> {
    let p: Params = decode(host.get("/api/v1/confidential/params").await?, "confidential parameters")?;
    let suite = p.suite.parse().map_err(CliError::failed)?;
    let view = my_view(host).await?;
    Ok(Wallet { chain: Chain { genesis: p.chain, suite, auditor: p.auditor }, view, me: host.signer().await? })
}

async fn asset(host: Host<'_>, id: u64) -> Result<Asset, CliError> {
    decode(host.get(&format!("/api/v1/confidential/assets/{id}")).await?, "asset")
}

async fn pages(host: Host<'_>, base: &str) -> Result<Vec<Note>, CliError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page: NotePage = decode(host.get(&hechain_module::cli::page_path(base, 100, after)).await?, "note page")?;
        out.extend(page.notes);
        match page.next_after {
            Some(a) => after = Some(a),
            None => return Ok(out),
        }
    }
}

/// The signer's unspent notes (of `only` asset), opened.
async fn my_notes(host: Host<'_>, w: &Wallet, only: Option<u64>) -> Result<Vec<Opened>, CliError> {
    let mut out = Vec::new();
    for n in pages(host, &format!("/api/v1/confidential/accounts/{}/notes", w.me)).await? {
        if only.is_some_and(|a| a != n.asset) {
            continue;
        }
        let cap = asset(host, n.asset).await?.cap;
        out.push(wallet::open(w.chain.suite, &w.view, &n, cap).map_err(CliError::failed)?);
    }
    Ok(out)
}

/// Every note of asset `id` the signer owns or owned (spent and settled included), opened.
async fn owned_notes(host: Host<'_>, w: &Wallet, id: u64) -> Result<Vec<Opened>, CliError> {
    let cap = asset(host, id).await?.cap;
    let mut out = Vec::new();
    for n in pages(host, &format!("/api/v1/confidential/assets/{id}/notes")).await? {
        if n.owner == w.me {
            out.push(wallet::open(w.chain.suite, &w.view, &n, cap).map_err(CliError::failed)?);
        }
    }
    Ok(out)
}

async fn pay(host: Host<'_>, to: Address, value: u64) -> Result<Pay, CliError> {
    let found = host.find(&format!("/api/v1/confidential/accounts/{to}/view-key")).await?;
    let Some(v) = found else {
        return Err(CliError::Failed(format!(
            "{to} has not registered a view key: it runs `hechain confidential register` first"
        )));
    };
    let key = decode::<H256>(v["view_key"].clone(), "view key")?;
    Ok(Pay { to, view_key: key, value })
}

/// Builds, submits and reports a move.
async fn send(host: Host<'_>, w: &Wallet, kind: FlowKind, inputs: &[Opened], outputs: &[Pay]) -> Result<i32, CliError> {
    let chain = w.chain;
    let (me, ins, outs) = (w.me, inputs.to_vec(), outputs.to_vec());
    // Proving takes tens of milliseconds per output.
    let flow = wallet::build(&chain, (me, kind), &ins, &outs, &mut wallet::os_rng()).map_err(CliError::failed)?;
    let call = match kind {
        FlowKind::Issue => ConfidentialCall::Issue { flow },
        FlowKind::Transfer => ConfidentialCall::Transfer { flow },
        FlowKind::Settle => ConfidentialCall::Settle { flow },
    };
    let s = host.submit(call).await?;
    let what = match s.events.first() {
        Some(crate::ConfidentialEvent::Moved { kind, spent, created, .. }) => {
            format!("{kind}: spent notes {spent:?}, created notes {created:?}")
        }
        _ => format!("{} committed", kind.name()),
    };
    Ok(report(host, &what, &s))
}

fn notes_json(notes: &[Opened]) -> serde_json::Value {
    json!(notes
        .iter()
        .map(|o| {
            json!({"id": o.note.id, "asset": o.note.asset, "kind": o.note.kind, "amount": o.value,
                   "spent": o.note.spent.is_some()})
        })
        .collect::<Vec<_>>())
}

fn notes_text(notes: &[Opened]) -> String {
    let mut lines = vec![format!("{:>8}  {:>6}  {:<8}  {:>20}  state", "note", "asset", "kind", "amount")];
    for o in notes {
        let kind =
            serde_json::to_value(o.note.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let state = match &o.note.spent {
            Some(s) => format!("spent at height {}", s.height),
            None => "unspent".into(),
        };
        lines.push(format!("{:>8}  {:>6}  {:<8}  {:>20}  {state}", o.note.id, o.note.asset, kind, o.value));
    }
    lines.join("\n")
}

fn run<'a>(host: Host<'a>, m: &'a clap::ArgMatches) -> CliFuture<'a, Result<i32, CliError>> {
    Box::pin(async move {
        let action = match Cmd::from_arg_matches(m).map_err(|e| CliError::Usage(e.to_string()))? {
            Cmd::ViewKey => {
                let view = my_view(host).await?;
                let key = seal::view_public(&view);
                let me = host.signer().await?;
                let registered = host.find(&format!("/api/v1/confidential/accounts/{me}/view-key")).await?.is_some();
                host.emit(&json!({"account": me, "view_key": key, "registered": registered}), &|| {
                    format!("account    {me}\nview key   {key}\nregistered {registered}")
                });
                return Ok(0);
            }
            Cmd::Register => {
                let view = my_view(host).await?;
                CliAction::Submit(ConfidentialCall::RegisterViewKey { view_key: seal::view_public(&view) })
            }
            Cmd::CreateAsset { name, cap } => CliAction::Submit(ConfidentialCall::CreateAsset { name, cap }),
            Cmd::Issue { asset: id, to, amount } => {
                let w = wallet(host).await?;
                let a = asset(host, id).await?;
                let notes = my_notes(host, &w, Some(id)).await?;
                let Some(reserve) = notes.into_iter().find(|o| o.note.id == a.reserve) else {
                    return Err(CliError::Failed(format!("only the issuer {} issues asset {id}", a.issuer)));
                };
                let Some(rest) = reserve.value.checked_sub(amount) else {
                    return Err(CliError::Failed(format!("the reserve holds {}, less than {amount}", reserve.value)));
                };
                let outputs = [pay(host, w.me, rest).await?, pay(host, to, amount).await?];
                return send(host, &w, FlowKind::Issue, &[reserve], &outputs).await;
            }
            Cmd::Transfer { asset: id, to, amount } => {
                let w = wallet(host).await?;
                let mut notes = my_notes(host, &w, Some(id)).await?;
                notes.retain(|o| o.note.kind == NoteKind::Holding);
                let (chosen, change) = wallet::choose(notes, amount).map_err(CliError::failed)?;
                let mut outputs = vec![pay(host, to, amount).await?];
                if change > 0 {
                    outputs.push(pay(host, w.me, change).await?);
                }
                return send(host, &w, FlowKind::Transfer, &chosen, &outputs).await;
            }
            Cmd::Split { note, amounts } => {
                let w = wallet(host).await?;
                let notes = my_notes(host, &w, None).await?;
                let Some(n) = notes.into_iter().find(|o| o.note.id == note) else {
                    return Err(CliError::Failed(format!("note {note} is not an unspent note of {}", w.me)));
                };
                let mut outputs = Vec::with_capacity(amounts.len());
                for a in amounts {
                    outputs.push(pay(host, w.me, a).await?);
                }
                return send(host, &w, FlowKind::Transfer, &[n], &outputs).await;
            }
            Cmd::Settle { asset: id, notes } => {
                let w = wallet(host).await?;
                let a = asset(host, id).await?;
                let mut mine = my_notes(host, &w, Some(id)).await?;
                mine.retain(|o| o.note.kind == NoteKind::Holding && (notes.is_empty() || notes.contains(&o.note.id)));
                mine.truncate(crate::proof::MAX_INPUTS);
                if mine.is_empty() {
                    return Err(CliError::Failed(format!("{} holds no notes of asset {id} to settle", w.me)));
                }
                let total = mine.iter().map(|o| o.value).sum();
                let outputs = [pay(host, a.issuer, total).await?];
                return send(host, &w, FlowKind::Settle, &mine, &outputs).await;
            }
            Cmd::Notes { asset, all } => {
                let w = wallet(host).await?;
                let notes = match (asset, all) {
                    (Some(id), true) => owned_notes(host, &w, id).await?,
                    (asset, _) => my_notes(host, &w, asset).await?,
                };
                host.emit(&json!({"account": w.me, "notes": notes_json(&notes)}), &|| notes_text(&notes));
                return Ok(0);
            }
            Cmd::Audit { asset: id } => return audit(host, id).await,
            Cmd::Asset { id } => CliAction::Get(format!("/api/v1/confidential/assets/{id}")),
            Cmd::Note { id } => CliAction::Get(format!("/api/v1/confidential/notes/{id}")),
            Cmd::Certificate { id, out } => {
                CliAction::SaveCertificate { path: format!("/api/v1/confidential/notes/{id}/certificate"), out }
            }
            Cmd::VerifyCert { cert, genesis } => CliAction::VerifyCertificate { file: cert, genesis },
        };
        perform(host, action).await
    })
}

/// Opens every note of an asset as the auditor; exit 1 when the unspent notes do not add up to
/// the cap or a note does not open.
async fn audit(host: Host<'_>, id: u64) -> Result<i32, CliError> {
    let w = wallet(host).await?;
    let a = asset(host, id).await?;
    let mut opened = Vec::new();
    let mut problems = Vec::new();
    for n in pages(host, &format!("/api/v1/confidential/assets/{id}/notes")).await? {
        match wallet::open_as_auditor(w.chain.suite, &w.view, &n, a.cap) {
            Ok(o) => opened.push(o),
            Err(e) => problems.push(e),
        }
    }
    let live = |k: NoteKind| -> u128 {
        opened.iter().filter(|o| o.note.spent.is_none() && o.note.kind == k).map(|o| o.value as u128).sum()
    };
    let (reserve, held, settled) = (live(NoteKind::Reserve), live(NoteKind::Holding), live(NoteKind::Settled));
    let balanced = problems.is_empty() && reserve + held + settled == a.cap as u128;
    let json = json!({
        "asset": id, "cap": a.cap, "reserve": reserve as u64, "outstanding": held as u64, "settled": settled as u64,
        "balanced": balanced, "notes": notes_json(&opened), "unopened": problems,
    });
    host.emit(&json, &|| {
        let mut t = notes_text(&opened);
        t.push_str(&format!(
            "\ncap {}  reserve {reserve}  outstanding {held}  settled {settled}  {}",
            a.cap,
            if balanced { "balanced" } else { "NOT BALANCED" }
        ));
        for p in &problems {
            t.push_str(&format!("\ncannot open: {p}"));
        }
        t
    });
    Ok(if balanced { 0 } else { 1 })
}
