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

/// Formats a millisecond Unix timestamp as UTC `YYYY-MM-DD HH:MM:SS.mmm UTC`.
pub fn format_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03} UTC", rem / 3600, (rem % 3600) / 60, rem % 60, ms % 1000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_timestamps() {
        assert_eq!(super::format_ms(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(super::format_ms(1_700_000_000_123), "2023-11-14 22:13:20.123 UTC");
        assert_eq!(super::format_ms(951_782_400_000), "2000-02-29 00:00:00.000 UTC");
    }
}
