//! Days typed into forms (an exam date, a cohort's target date, an assignment's due date).
//!
//! A date field takes `YYYY-MM-DD` as `<input type="date">` sends it. Every date a user plans by
//! lies ahead of today and within [`MAX_YEARS_AHEAD`] years: that rule also keeps out what the
//! calendar libraries parse but PostgreSQL cannot store (before 4713 BC) or what makes no sense
//! (year 0, year 9999), so such input gets a clear message instead of a server error.

use time::{Date, Duration};

/// How far ahead a planned date may be: generous (cohorts plan years ahead), but it keeps out
/// the far-future years that only a typing slip or a probe produces.
pub const MAX_YEARS_AHEAD: i64 = 100;

/// Parses a typed `YYYY-MM-DD` date; empty means "no date".
pub fn parse(label: &str, typed: &str) -> Result<Option<Date>, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    // Only plain digits: `time` would read a sign ("-5000-01-01", "+2027-01-01").
    let plain = t.starts_with(|c: char| c.is_ascii_digit());
    match Date::parse(t, &fmt) {
        Ok(d) if plain => Ok(Some(d)),
        _ => Err(format!(
            "{label}: “{}” is not a date; use the form YYYY-MM-DD, for example 2027-03-15.",
            shorten(t)
        )),
    }
}

/// A planned date: today or later, and at most [`MAX_YEARS_AHEAD`] years ahead.
pub fn planned(label: &str, typed: &str, today: Date) -> Result<Option<Date>, String> {
    let Some(d) = parse(label, typed)? else {
        return Ok(None);
    };
    let latest = latest_planned(today);
    if d < today {
        Err(format!(
            "{label}: {d} has already passed; choose today or a later day."
        ))
    } else if d > latest {
        Err(format!(
            "{label}: {d} is more than {MAX_YEARS_AHEAD} years away; choose a day up to {latest}."
        ))
    } else {
        Ok(Some(d))
    }
}

/// The last day [`planned`] accepts.
pub fn latest_planned(today: Date) -> Date {
    today
        .checked_add(Duration::days(MAX_YEARS_AHEAD * 365 + MAX_YEARS_AHEAD / 4))
        .unwrap_or(Date::MAX)
}

/// What is quoted back of the input: a few dozen characters, never a page of it.
fn shorten(t: &str) -> String {
    const MAX: usize = 40;
    if t.chars().count() <= MAX {
        t.to_string()
    } else {
        format!("{}…", t.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 30);

    #[test]
    fn dates_postgres_cannot_store_or_nobody_plans_for_are_refused() {
        for typed in [
            "-5000-01-01",
            "0000-01-01",
            "+10000-01-01",
            "10000-01-01",
            "9999-12-31",
            "+2027-01-01",
            "2027-02-30",
            "2027-1-5",
            "next tuesday",
            "2027-03-15\0",
        ] {
            assert!(
                planned("Exam date", typed, TODAY).is_err(),
                "{typed:?} was accepted"
            );
        }
    }

    #[test]
    fn today_to_a_hundred_years_ahead_is_accepted() {
        assert_eq!(planned("d", "", TODAY), Ok(None));
        assert_eq!(planned("d", " 2026-11-30 ", TODAY), Ok(Some(TODAY)));
        assert_eq!(
            planned("d", "2126-11-29", TODAY),
            Ok(Some(date!(2126 - 11 - 29)))
        );
        assert!(planned("d", "2026-11-29", TODAY)
            .unwrap_err()
            .contains("already passed"));
        assert!(planned("d", "2127-01-01", TODAY)
            .unwrap_err()
            .contains("more than 100 years"));
    }

    #[test]
    fn long_input_is_quoted_short() {
        let long = "x".repeat(10_000);
        assert!(parse("Due date", &long).unwrap_err().chars().count() < 200);
    }

    proptest! {
        /// Whatever is typed: no panic, and anything accepted is a day PostgreSQL stores,
        /// within the planning window.
        #[test]
        fn any_input_gives_a_date_in_the_window_or_a_message(typed in ".{0,30}") {
            if let Ok(Some(d)) = planned("Date", &typed, TODAY) {
                prop_assert!(d >= TODAY && d <= latest_planned(TODAY));
            }
        }

        #[test]
        fn every_day_in_the_window_round_trips(offset in 0i64..36_500) {
            let d = TODAY + Duration::days(offset);
            prop_assert_eq!(planned("Date", &d.to_string(), TODAY), Ok(Some(d)));
        }
    }
}
