//! Human or JSON output.

use serde::Serialize;

/// Prints `value` as pretty JSON when `json`, else the human text.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) {
    if json {
        match serde_json::to_string_pretty(value) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("error: cannot encode output: {e}"),
        }
    } else {
        println!("{}", human());
    }
}

pub use hechain_primitives::display::format_ms;
