//! The execution tests' harness lives in `hechain-testkit` (shared with the modules' tests).

pub use hechain_testkit::exec::*;
