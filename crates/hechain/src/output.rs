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

/// Days since 1970-01-01 of a proleptic Gregorian date (inverse of the conversion in
/// [`format_ms`]); `None` for an invalid month or day.
fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d == 0 || d > month_days[(m - 1) as usize] {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Parses a time given on the command line as milliseconds since the Unix epoch: a plain
/// number (ms), `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn parse_time_ms(s: &str) -> anyhow::Result<u64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| anyhow::anyhow!("{s:?} is too large for a millisecond timestamp"));
    }
    let bad = || anyhow::anyhow!("{s:?} is not a time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC) or milliseconds");
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').ok_or_else(bad)?)),
        None => (s, None),
    };
    let num = |p: &str, len: usize| -> anyhow::Result<u32> {
        if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts[..] else { return Err(bad()) };
    let days = days_from_civil(num(y, 4)? as i64, num(m, 2)?, num(d, 2)?).ok_or_else(bad)?;
    let secs_of_day = match time {
        None => 0,
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            let [h, mi, se] = parts[..] else { return Err(bad()) };
            let (h, mi, se) = (num(h, 2)?, num(mi, 2)?, num(se, 2)?);
            if h > 23 || mi > 59 || se > 59 {
                return Err(bad());
            }
            (h * 3600 + mi * 60 + se) as i64
        }
    };
    let ms = (days * 86_400 + secs_of_day) * 1000;
    u64::try_from(ms).map_err(|_| anyhow::anyhow!("{s:?} is before 1970"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_times_back_to_what_format_prints() {
        use super::{format_ms, parse_time_ms};
        assert_eq!(parse_time_ms("0").unwrap(), 0);
        assert_eq!(parse_time_ms("1700000000123").unwrap(), 1_700_000_000_123);
        assert_eq!(parse_time_ms("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_time_ms("2000-02-29").unwrap(), 951_782_400_000);
        for ms in [0u64, 951_782_400_000, 4_102_444_800_000, 1_709_164_800_000] {
            let date = &format_ms(ms)[..10];
            assert_eq!(parse_time_ms(date).unwrap(), ms, "{date}");
        }
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01T25:00:00Z", "2024-01-01T10:00:00", "soon", ""]
        {
            assert!(parse_time_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_timestamps() {
        assert_eq!(super::format_ms(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(super::format_ms(1_700_000_000_123), "2023-11-14 22:13:20.123 UTC");
        assert_eq!(super::format_ms(951_782_400_000), "2000-02-29 00:00:00.000 UTC");
    }
}
