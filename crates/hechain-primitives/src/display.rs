//! How people read and write the chain's values: times as UTC dates.

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

/// Parses a time as people write it on a command line, into ms since the Unix epoch: a plain
/// number (ms), `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn parse_time_ms(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| format!("{s:?} is too large for a millisecond timestamp"));
    }
    let bad = || format!("{s:?} is not a time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC) or milliseconds");
    let (date, clock) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').ok_or_else(bad)?)),
        None => (s, None),
    };
    let num = |p: &str, len: usize| -> Result<u16, String> {
        if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts[..] else { return Err(bad()) };
    let month = time::Month::try_from(u8::try_from(num(m, 2)?).map_err(|_| bad())?).map_err(|_| bad())?;
    let day = u8::try_from(num(d, 2)?).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(i32::from(num(y, 4)?), month, day).map_err(|_| bad())?;
    let clock = match clock {
        None => time::Time::MIDNIGHT,
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            let [h, mi, se] = parts[..] else { return Err(bad()) };
            let field = |p: &str| num(p, 2).and_then(|v| u8::try_from(v).map_err(|_| bad()));
            time::Time::from_hms(field(h)?, field(mi)?, field(se)?).map_err(|_| bad())?
        }
    };
    let ms = date.with_time(clock).assume_utc().unix_timestamp_nanos() / 1_000_000;
    u64::try_from(ms).map_err(|_| format!("{s:?} is before 1970"))
}

/// Percent-encodes a URL path segment or query value: every byte but RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`), so that any item code, `/` included, is one segment.
pub fn url_component(s: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(s, KEEP).to_string()
}

#[cfg(test)]
mod tests {
    use super::{format_ms, parse_time_ms, url_component};

    #[test]
    fn url_components_keep_only_unreserved_bytes() {
        assert_eq!(url_component("QR-1_a.b~c"), "QR-1_a.b~c");
        assert_eq!(url_component("01/0950/21/A 1"), "01%2F0950%2F21%2FA%201");
        assert_eq!(url_component("番?#%&="), "%E7%95%AA%3F%23%25%26%3D");
    }

    #[test]
    fn parses_times_back_to_what_format_prints() {
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
        assert!(parse_time_ms("1969-12-31").unwrap_err().contains("before 1970"));
    }

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_ms(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(format_ms(951_782_400_123), "2000-02-29 00:00:00.123 UTC");
        assert_eq!(format_ms(1_767_225_599_999), "2025-12-31 23:59:59.999 UTC");
        assert_eq!(format_ms(u64::MAX), "18446744073709551615 ms after the Unix epoch");
    }
}
