//! The commands of service modules built on the module interface (`hechain <module> …`,
//! `hechain_module::cli::ModuleCli`), gathered from the module list, and how their actions
//! run: sign and submit a call, query the REST API, save a certificate.

use anyhow::Context;
use hechain_module::cli::{CliAction, ModuleCli};
use hechain_types::{Payload, TxStatus};
use serde_json::json;

use crate::cmd_chain::{client, send_payload};
use crate::output::emit;
use crate::Cli;

macro_rules! gather_cli {
    ( $( $Variant:ident => $module:ty ),+ $(,)? ) => {
        /// Every listed module's command.
        pub fn commands() -> Vec<clap::Command> {
            let mut out = Vec::new();
            $(
                if let Some(spec) = <$module as ModuleCli>::cli() {
                    out.push(spec.command);
                }
            )+
            out
        }

        /// Whether `name` is a module's command.
        pub fn is_module_command(name: &str) -> bool {
            commands().iter().any(|c| c.get_name() == name)
        }

        /// The action of module command `name`, its call wrapped into the chain's payload.
        pub fn action(name: &str, m: &clap::ArgMatches) -> Option<Result<CliAction<Payload>, String>> {
            $(
                if let Some(spec) = <$module as ModuleCli>::cli() {
                    if spec.command.get_name() == name {
                        return Some((spec.action)(m).map(|a| match a {
                            CliAction::Submit(call) => CliAction::Submit(Payload::$Variant(call)),
                            CliAction::Get(path) => CliAction::Get(path),
                            CliAction::SaveCertificate { path, out } => CliAction::SaveCertificate { path, out },
                            CliAction::VerifyCertificate { file, genesis } => {
                                CliAction::VerifyCertificate { file, genesis }
                            }
                        }));
                    }
                }
            )+
            None
        }
    };
}

hechain_modules::for_each_module!(gather_cli);

/// The SDK's path for a REST path (the client's base URL already ends in `/api/v1`).
fn sdk_path(path: &str) -> &str {
    path.strip_prefix("/api/v1").unwrap_or(path)
}

/// Carries out a module command's action.
pub async fn run(cli: &Cli, action: CliAction<Payload>) -> anyhow::Result<i32> {
    if let CliAction::VerifyCertificate { file, genesis } = &action {
        return crate::record_cert::verify(cli, file, genesis.as_deref()).await;
    }
    let c = client(cli)?;
    match action {
        CliAction::Submit(payload) => {
            let status = c.status().await?;
            let kind = payload.type_name();
            let (hash, r) = send_payload(cli, &c, &status, payload).await?;
            let events = &r.receipt.events;
            emit(cli.json, &json!({"tx_hash": hash, "height": r.height, "events": events}), || {
                let status = match &r.receipt.status {
                    TxStatus::Success => "committed".to_string(),
                    TxStatus::Failed { reason } => format!("failed: {reason}"),
                };
                let lines: Vec<String> = events.iter().map(|e| serde_json::to_string(e).unwrap_or_default()).collect();
                format!(
                    "{kind} {status}\n  tx      {hash}\n  height  {}\n  events  {}",
                    r.height,
                    lines.join("\n          ")
                )
            });
            Ok(0)
        }
        CliAction::Get(path) => {
            let v: serde_json::Value = c.get(sdk_path(&path)).await?;
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(0)
        }
        CliAction::SaveCertificate { path, out } => {
            let cert: hechain_cert::RecordCertificate =
                c.get(sdk_path(&path)).await.with_context(|| format!("fetching the certificate at {path}"))?;
            crate::record_cert::write(cli, &cert, Some(&out), json!({"path": path, "kind": cert.record.kind()}))
        }
        CliAction::VerifyCertificate { file, genesis } => {
            crate::record_cert::verify(cli, &file, genesis.as_deref()).await
        }
    }
}
