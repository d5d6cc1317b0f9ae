//! How people read the chain's values: times as UTC dates.

/// A time in ms since the Unix epoch as `YYYY-MM-DD HH:MM:SS.mmm UTC` (block and record times,
/// license terms); beyond the calendar's range, the number of milliseconds.
pub fn format_ms(ms: u64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        ),
        Err(_) => format!("{ms} ms after the Unix epoch"),
    }
}

#[cfg(test)]
mod tests {
    use super::format_ms;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_ms(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(format_ms(951_782_400_123), "2000-02-29 00:00:00.123 UTC");
        assert_eq!(format_ms(1_767_225_599_999), "2025-12-31 23:59:59.999 UTC");
        assert_eq!(format_ms(u64::MAX), "18446744073709551615 ms after the Unix epoch");
    }
}
