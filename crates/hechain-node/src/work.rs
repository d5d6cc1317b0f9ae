//! Where a node's CPU work runs: consensus on its own threads, clients elsewhere.
//!
//! Clients can queue as much work as the API lets them: every API request runs on tokio's
//! blocking pool, and batch decoding and signature checks of submitted transactions fan out on
//! rayon's global pool. If consensus shared those pools, a client flood would queue in front of
//! a validator's vote: checking a proposal, building one, executing a block, decoding a peer's
//! frame and serving a peer's sync request would wait behind the flood, and blocks would stop.
//!
//! So consensus work runs on a [`ConsensusPool`], a rayon pool of its own that no client path
//! submits to. Parallel iterators inside a job run on the same pool (rayon uses the pool of the
//! current thread), so a proposal's signature checks stay there too. The block executor's
//! thread lives inside the pool ([`ConsensusPool::install`]) for the same reason. Both pools
//! still share the machine's cores, but a consensus job never waits in a queue behind client
//! jobs; the operating system shares the cores between the pools' threads.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use crate::NodeError;

/// A consensus job panicked (the panic is logged; the node goes on, as after a panicked task).
#[derive(Debug, thiserror::Error)]
#[error("a consensus worker panicked while {0}")]
pub struct WorkerPanicked(pub &'static str);

/// The consensus thread pool. Cheap to clone.
#[derive(Clone)]
pub struct ConsensusPool {
    pool: Arc<rayon::ThreadPool>,
}

impl std::fmt::Debug for ConsensusPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsensusPool").field("threads", &self.pool.current_num_threads()).finish()
    }
}

impl ConsensusPool {
    /// A pool with one thread per core, at least two, plus one: the executor's thread.
    pub fn new() -> Result<Self, NodeError> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
        Self::with_threads(cores + 1)
    }

    /// A pool of `threads` threads named `hechain-consensus-N`.
    pub fn with_threads(threads: usize) -> Result<Self, NodeError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(2))
            .thread_name(|i| format!("hechain-consensus-{i}"))
            // Jobs catch their own panics; this only guards against a panic escaping one.
            .panic_handler(|_| tracing::error!("a consensus worker panicked"))
            .build()
            .map_err(|e| NodeError::Config(format!("cannot start the consensus threads: {e}")))?;
        Ok(ConsensusPool { pool: Arc::new(pool) })
    }

    /// Runs `job` on the pool without waiting for it; a panic is logged as `what` failing.
    pub fn spawn(&self, what: &'static str, job: impl FnOnce() + Send + 'static) {
        self.pool.spawn(move || {
            if catch_unwind(AssertUnwindSafe(job)).is_err() {
                tracing::error!("{}", WorkerPanicked(what));
            }
        });
    }

    /// Runs `job` on the pool; the future resolves to its result.
    pub fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = Result<T, WorkerPanicked>> + Send + 'static {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            let _ = tx.send(catch_unwind(AssertUnwindSafe(job)));
        });
        async move {
            match rx.await {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(_)) | Err(_) => Err(WorkerPanicked(what)),
            }
        }
    }

    /// Runs `f` inside the pool, blocking the calling (non-async) thread until it returns.
    pub fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        self.pool.install(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    /// Consensus work finishes while every thread of rayon's global pool (where client batches
    /// run) is taken; parallel iterators inside a job stay on the consensus pool.
    #[tokio::test]
    async fn consensus_jobs_do_not_wait_for_a_busy_global_pool() {
        let release = Arc::new(AtomicBool::new(false));
        for _ in 0..rayon::current_num_threads() {
            let release = release.clone();
            rayon::spawn(move || {
                let until = Instant::now() + Duration::from_secs(30);
                while !release.load(Ordering::Relaxed) && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(5));
                }
            });
        }
        let pool = ConsensusPool::with_threads(2).unwrap();
        let started = Instant::now();
        let sum = pool.run("summing", || (0..10_000u64).into_par_iter().sum::<u64>());
        let sum = tokio::time::timeout(Duration::from_secs(10), sum).await;
        release.store(true, Ordering::Relaxed);
        assert_eq!(sum.ok().and_then(Result::ok), Some(49_995_000));
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(pool.install(|| (0..4u64).into_par_iter().map(|x| x * 2).sum::<u64>()), 12);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_an_abort() {
        let pool = ConsensusPool::with_threads(2).unwrap();
        let r = pool.run("testing", || -> u8 { panic!("boom") }).await;
        assert_eq!(r.err().map(|e| e.to_string()).as_deref(), Some("a consensus worker panicked while testing"));
        assert_eq!(pool.run("after", || 7).await.ok(), Some(7));
    }
}
