//! The commands of service modules (`hechain <module> …`, `hechain_module::cli::ModuleCli`),
//! gathered from the module list, and the host they run with: the node (its REST API, signing
//! and submitting calls), the signer, certificate files and output.

use std::path::Path;

use hechain_cert::RecordCertificate;
use hechain_crypto::Suite;
use hechain_module::cli::{CertificateCheck, CliError, CliFuture, CliHost, ModuleCli, Submitted};
use hechain_module::Module;
use hechain_sdk::Client;
use hechain_types::modules::ModuleRecords;
use hechain_types::{Address, Event, Payload};
use serde_json::Value;

use crate::cmd_chain::{client, send_payload};
use crate::cmd_key::resolve_signer;
use crate::output::emit;
use crate::Cli;

/// A module command's view of the node.
struct NodeHost<'a, M: Module> {
    cli: &'a Cli,
    client: Client,
    /// The module's call as the chain's payload.
    wrap: fn(M::Call) -> Payload,
    /// The module's event, if the receipt event is one.
    unwrap: fn(&Event) -> Option<M::Event>,
    /// The module's record, if a certified record is one.
    unwrap_record: fn(&ModuleRecords) -> Option<M::Record>,
}

fn failed(e: anyhow::Error) -> CliError {
    CliError::Failed(format!("{e:#}"))
}

/// The SDK's path for a REST path (the client's base URL already ends in `/api/v1`).
fn sdk_path(path: &str) -> &str {
    path.strip_prefix("/api/v1").unwrap_or(path)
}

impl<M: Module> NodeHost<'_, M> {
    /// What a committed call did, from its receipt.
    fn submitted(
        &self,
        tx_hash: hechain_types::H256,
        r: &hechain_sdk::ReceiptInfo,
    ) -> Result<Submitted<M::Event>, CliError> {
        let events = r.receipt.events.iter().filter_map(self.unwrap).collect();
        let all_events = r
            .receipt
            .events
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(CliError::failed)?;
        Ok(Submitted { tx_hash, height: r.height, events, all_events })
    }
}

impl<M: Module> CliHost<M> for NodeHost<'_, M> {
    fn validate_context(&self) -> hechain_module::ValidateContext<'static> {
        hechain_types::VALIDATE_CONTEXT
    }

    fn emit(&self, json: &Value, text: &dyn Fn() -> String) {
        emit(self.cli.json, json, text)
    }

    fn suite(&self) -> CliFuture<'_, Result<Suite, CliError>> {
        Box::pin(async move { Ok(self.client.status().await.map_err(|e| failed(e.into()))?.suite) })
    }

    fn signer(&self) -> CliFuture<'_, Result<Address, CliError>> {
        Box::pin(async move {
            let s = self.client.status().await.map_err(|e| failed(e.into()))?;
            let key = resolve_signer(self.cli, s.suite, s.chain_id).map_err(failed)?;
            Ok(Address(key.address()))
        })
    }

    fn sign_message<'a>(&'a self, msg: &'a [u8]) -> CliFuture<'a, Result<hechain_crypto::AccountSignature, CliError>> {
        Box::pin(async move {
            let s = self.client.status().await.map_err(|e| failed(e.into()))?;
            let key = resolve_signer(self.cli, s.suite, s.chain_id).map_err(failed)?;
            Ok(key.sign(msg))
        })
    }

    fn derive_secret<'a>(&'a self, purpose: &'a str) -> CliFuture<'a, Result<zeroize::Zeroizing<[u8; 32]>, CliError>> {
        Box::pin(async move {
            let s = self.client.status().await.map_err(|e| failed(e.into()))?;
            let key = resolve_signer(self.cli, s.suite, s.chain_id).map_err(failed)?;
            Ok(key.derive_secret(purpose))
        })
    }

    fn head_timestamp_ms(&self) -> CliFuture<'_, Result<u64, CliError>> {
        Box::pin(async move { Ok(self.client.status().await.map_err(|e| failed(e.into()))?.head_timestamp_ms) })
    }

    fn get<'a>(&'a self, path: &'a str) -> CliFuture<'a, Result<Value, CliError>> {
        Box::pin(async move { self.client.get(sdk_path(path)).await.map_err(|e| failed(e.into())) })
    }

    fn find<'a>(&'a self, path: &'a str) -> CliFuture<'a, Result<Option<Value>, CliError>> {
        Box::pin(async move { self.client.get_optional(sdk_path(path)).await.map_err(|e| failed(e.into())) })
    }

    fn submit(&self, call: M::Call) -> CliFuture<'_, Result<Submitted<M::Event>, CliError>> {
        Box::pin(async move {
            let status = self.client.status().await.map_err(|e| failed(e.into()))?;
            let (tx_hash, r) =
                send_payload(self.cli, &self.client, &status, (self.wrap)(call)).await.map_err(failed)?;
            self.submitted(tx_hash, &r)
        })
    }

    fn submit_anonymously(&self, call: M::Call) -> CliFuture<'_, Result<Submitted<M::Event>, CliError>> {
        Box::pin(async move {
            let status = self.client.status().await.map_err(|e| failed(e.into()))?;
            let payload = (self.wrap)(call);
            if !payload.fee_exempt() {
                return Err(CliError::Failed(format!(
                    "{} pays a fee: it cannot be sent from a one-time account",
                    payload.type_name()
                )));
            }
            let key =
                hechain_crypto::AccountKey::try_generate(status.suite.account_scheme()).map_err(CliError::failed)?;
            let tx = hechain_types::Transaction {
                chain_id: status.chain_id,
                nonce: 0,
                sender: Address(key.address()),
                fee: 0,
                payload,
            }
            .sign(&key)
            .map_err(CliError::failed)?;
            let hash = self.client.submit(&tx).await.map_err(|e| failed(e.into()))?;
            let r = self
                .client
                .wait_receipt(&hash, crate::cmd_chain::COMMIT_TIMEOUT)
                .await
                .map_err(|e| failed(e.into()))?;
            if let hechain_types::TxStatus::Failed { reason } = &r.receipt.status {
                return Err(CliError::Failed(format!("transaction {hash} failed: {reason}")));
            }
            self.submitted(hash, &r)
        })
    }

    fn save_certificate<'a>(
        &'a self,
        path: &'a str,
        out: Option<&'a Path>,
        about: Value,
    ) -> CliFuture<'a, Result<i32, CliError>> {
        Box::pin(async move {
            let cert: Value = self
                .client
                .get(sdk_path(path))
                .await
                .map_err(|e| CliError::Failed(format!("fetching the certificate at {path}: {e}")))?;
            crate::record_cert::write(self.cli, &cert, out, about).map_err(failed)
        })
    }

    fn verify_certificate<'a>(
        &'a self,
        file: &'a Path,
        genesis: Option<&'a Path>,
    ) -> CliFuture<'a, Result<i32, CliError>> {
        Box::pin(async move { crate::record_cert::verify(self.cli, file, genesis).await.map_err(failed) })
    }

    fn check_certificate<'a>(
        &'a self,
        file: &'a Path,
        genesis: Option<&'a Path>,
    ) -> CliFuture<'a, Result<CertificateCheck<M::Record>, CliError>> {
        Box::pin(async move {
            let (text, g) = match crate::record_cert::check_inputs(self.cli, file, genesis).await {
                Ok(x) => x,
                Err(e) => return Ok(CertificateCheck::Unverifiable(crate::record_cert::unverifiable(self.cli, &e))),
            };
            let rc: RecordCertificate = match crate::record_cert::parse_certificate(&text) {
                Ok(rc) => rc,
                Err(e) => return Ok(CertificateCheck::Invalid(format!("{e:#}"))),
            };
            match rc.verify(&g) {
                Ok(v) => Ok(CertificateCheck::Valid {
                    record: (self.unwrap_record)(rc.record.module()),
                    kind: rc.record.kind().to_string(),
                    height: v.height,
                    suite: g.suite(),
                }),
                Err(e) => Ok(CertificateCheck::Invalid(e.to_string())),
            }
        })
    }
}

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

        /// Runs module command `name` with its matches (`None` if no module has that command).
        pub async fn run(cli: &Cli, name: &str, m: &clap::ArgMatches) -> Option<Result<i32, CliError>> {
            $(
                if let Some(spec) = <$module as ModuleCli>::cli() {
                    if spec.command.get_name() == name {
                        let client = match client(cli) {
                            Ok(c) => c,
                            Err(e) => return Some(Err(failed(e))),
                        };
                        let host = NodeHost::<$module> {
                            cli,
                            client,
                            wrap: Payload::$Variant,
                            unwrap: |e| if let Event::$Variant(x) = e { Some(x.clone()) } else { None },
                            unwrap_record: |r| {
                                if let ModuleRecords::$Variant(x) = r { Some(x.clone()) } else { None }
                            },
                        };
                        return Some((spec.run)(&host, m).await);
                    }
                }
            )+
            None
        }
    };
}

hechain_modules::for_each_module!(gather_cli);
