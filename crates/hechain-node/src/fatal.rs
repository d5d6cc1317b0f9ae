//! Failures a node cannot go on from.
//!
//! When the database refuses a write (disk full, an I/O error), redb will not take another
//! until it is reopened, and the block that failed is not committed. Going on would leave the
//! node wedged while its API looks healthy and accepts transactions it will never commit. So the
//! task that meets such a failure reports it here, once; the pool then refuses every new
//! transaction (`state_unavailable`, 503), and the node's owner ([`crate::Node::failed`]) stops
//! the node and exits non-zero. On restart the database recovers to its last committed block,
//! and the node catches up from there.

use std::sync::Arc;

use tokio::sync::watch;

/// Where a node's tasks report a failure it cannot go on from (the first one counts).
#[derive(Clone, Debug)]
pub struct Fatal(Arc<watch::Sender<Option<String>>>);

impl Default for Fatal {
    fn default() -> Self {
        Self(Arc::new(watch::channel(None).0))
    }
}

impl Fatal {
    /// Reports `what` (ignored if a failure was already reported).
    pub fn report(&self, what: impl Into<String>) {
        let what = what.into();
        let first = self.0.send_if_modified(|slot| {
            if slot.is_some() {
                return false;
            }
            *slot = Some(what.clone());
            true
        });
        if first {
            tracing::error!(failure = %what, "the node cannot go on; stopping");
        }
    }

    /// The failure reported, if any.
    pub fn get(&self) -> Option<String> {
        self.0.borrow().clone()
    }

    /// Waits for a failure and returns it.
    pub async fn wait(&self) -> String {
        let mut rx = self.0.subscribe();
        loop {
            if let Some(f) = rx.borrow_and_update().clone() {
                return f;
            }
            if rx.changed().await.is_err() {
                // The sender lives in `self`: not reached.
                std::future::pending::<()>().await;
            }
        }
    }
}

/// The message of a failed block commit: what failed and what to do.
pub fn commit_failure(height: u64, e: &dyn std::fmt::Display) -> String {
    format!(
        "block {height} could not be stored: {e}. Nothing after block {} is committed on this node. \
         Free disk space or fix the storage, then start the node again: it resumes from its last stored block",
        height.saturating_sub(1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_report_counts() {
        let f = Fatal::default();
        assert_eq!(f.get(), None);
        let waiter = tokio::spawn({
            let f = f.clone();
            async move { f.wait().await }
        });
        f.report("disk full");
        f.report("later");
        assert_eq!(waiter.await.unwrap(), "disk full");
        assert_eq!(f.get().as_deref(), Some("disk full"));
    }
}
