//! How times and durations read on every page.

pub fn time(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&f).unwrap_or_default()
}

pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else {
        format!("{m} min {s:02} s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_in_minutes_or_hours() {
        assert_eq!(super::duration(0), "0 min 00 s");
        assert_eq!(super::duration(-5), "0 min 00 s");
        assert_eq!(super::duration(61), "1 min 01 s");
        assert_eq!(super::duration(3600 + 120), "1 h 02 min");
    }

    #[test]
    fn times_read_in_utc() {
        let t = time::macros::datetime!(2026-11-29 17:05 UTC);
        assert_eq!(super::time(t), "2026-11-29 17:05 UTC");
    }
}
