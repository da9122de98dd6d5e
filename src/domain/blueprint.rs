//! The exam definition: domains with weight ranges, objectives, timing and the scaled-score
//! mapping. Read from `exam.toml` in a bank folder and stored as JSON with the exam.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blueprint {
    pub code: String,
    pub title: String,
    pub duration_minutes: u32,
    pub question_count: u32,
    #[serde(default = "default_pass")]
    pub pass_scaled: u32,
    /// Percent of points that maps to the pass mark.
    pub cut_percent: f64,
    #[serde(default)]
    pub min_questions_per_objective: u32,
    #[serde(default)]
    pub min_questions_per_domain: u32,
    /// The date (YYYY-MM-DD) the real exam was retired; the mock stays for candidates who sat it
    /// and instructors who teach its content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<String>,
    /// The code of the exam that replaced this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// Microsoft Learn may be consulted during the real exam (open book).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub learn_access: bool,
    /// Kept out of the catalogue and candidates' home pages (an example or a draft exam); its
    /// page still answers at its address.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlisted: bool,
    /// The real exam offers breaks (the clock keeps running; questions seen before a break lock).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub breaks: bool,
    pub domains: Vec<Domain>,
}

fn default_pass() -> u32 {
    700
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub code: String,
    pub title: String,
    /// Percent of a form, inclusive.
    pub weight_min: u32,
    pub weight_max: u32,
    #[serde(default)]
    pub objectives: Vec<Objective>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    pub code: String,
    pub group: String,
    pub title: String,
}

pub const SCALE_MIN: f64 = 1.0;
pub const SCALE_MAX: f64 = 1000.0;
pub const SCALE_PASS: f64 = 700.0;

impl Blueprint {
    /// Problems that make the blueprint unusable, in plain words.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let date = time::macros::format_description!("[year]-[month]-[day]");
        if let Some(d) = &self.retired_on {
            if time::Date::parse(d, &date).is_err() {
                out.push(format!("retired_on `{d}` is not a date like 2026-06-01"));
            }
        }
        if self.successor.is_some() && self.retired_on.is_none() {
            out.push("an exam with a successor needs its retired_on date".to_string());
        }
        if self.code.trim().is_empty() {
            out.push("exam code is empty".to_string());
        }
        if self.question_count == 0 {
            out.push("question_count must be at least 1".into());
        }
        if self.duration_minutes == 0 {
            out.push("duration_minutes must be at least 1".into());
        }
        if !(self.cut_percent > 0.0 && self.cut_percent < 100.0) {
            out.push(format!(
                "cut_percent must lie strictly between 0 and 100, not {}",
                self.cut_percent
            ));
        }
        if self.pass_scaled != 700 {
            out.push(
                "pass_scaled must be 700 (the scale is 1–1000 with the pass mark at 700)".into(),
            );
        }
        if self.domains.is_empty() {
            out.push("the blueprint has no domains".into());
        }
        let mut seen = std::collections::HashSet::new();
        for d in &self.domains {
            if d.weight_min > d.weight_max || d.weight_max > 100 {
                out.push(format!(
                    "domain `{}` has weights {}–{}%",
                    d.code, d.weight_min, d.weight_max
                ));
            }
            if !seen.insert(d.code.clone()) {
                out.push(format!("domain code `{}` is used twice", d.code));
            }
            for o in &d.objectives {
                if !seen.insert(o.code.clone()) {
                    out.push(format!("objective code `{}` is used twice", o.code));
                }
            }
        }
        let (lo, hi) = self.count_bounds_sum();
        if !self.domains.is_empty() && (lo > self.question_count || hi < self.question_count) {
            out.push(format!(
                "the domain weight ranges allow {lo}–{hi} questions, which cannot make a form of {}",
                self.question_count
            ));
        }
        out
    }

    /// Inclusive range of questions a form of `question_count` may hold from a domain.
    pub fn domain_count_range(&self, domain: &Domain) -> (u32, u32) {
        let n = self.question_count as f64;
        let lo = (n * domain.weight_min as f64 / 100.0 - 1e-9)
            .ceil()
            .max(0.0) as u32;
        let hi = (n * domain.weight_max as f64 / 100.0 + 1e-9).floor() as u32;
        (lo, hi.max(lo))
    }

    fn count_bounds_sum(&self) -> (u32, u32) {
        self.domains.iter().fold((0, 0), |(a, b), d| {
            let (lo, hi) = self.domain_count_range(d);
            (a + lo, b + hi)
        })
    }

    pub fn domain_of_objective(&self, objective: &str) -> Option<&Domain> {
        self.domains
            .iter()
            .find(|d| d.objectives.iter().any(|o| o.code == objective))
    }

    pub fn objective(&self, code: &str) -> Option<&Objective> {
        self.domains
            .iter()
            .flat_map(|d| d.objectives.iter())
            .find(|o| o.code == code)
    }

    pub fn slug(&self) -> String {
        self.code.to_lowercase()
    }

    /// Points fraction (0..=1) to the 1–1000 scale: two straight lines through (0, 1),
    /// (cut, 700) and (1, 1000). Monotonic, and exactly 700 at the cut.
    pub fn scaled_score(&self, fraction: f64) -> u32 {
        scale(fraction, self.cut_percent / 100.0)
    }

    pub fn passes(&self, scaled: u32) -> bool {
        scaled >= self.pass_scaled
    }
}

/// See [`Blueprint::scaled_score`].
pub fn scale(fraction: f64, cut: f64) -> u32 {
    let f = if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    };
    if (f - cut).abs() < 1e-12 {
        return SCALE_PASS as u32;
    }
    let v = if f <= cut {
        SCALE_MIN + (SCALE_PASS - SCALE_MIN) * f / cut
    } else {
        SCALE_PASS + (SCALE_MAX - SCALE_PASS) * (f - cut) / (1.0 - cut)
    };
    // Rounding down keeps "just under the cut" from rounding up to a pass.
    v.floor().clamp(SCALE_MIN, SCALE_MAX) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_retirement_needs_a_real_date_and_a_successor_needs_a_retirement() {
        let mut bp = sample();
        assert!(bp.problems().is_empty());
        bp.retired_on = Some("2026-13-01".into());
        assert!(bp.problems().iter().any(|p| p.contains("not a date")));
        bp.retired_on = Some("2026-06-01".into());
        bp.successor = Some("AI-300".into());
        assert!(bp.problems().is_empty());
        bp.retired_on = None;
        assert!(bp.problems().iter().any(|p| p.contains("retired_on")));
    }

    pub fn sample() -> Blueprint {
        toml::from_str(
            r#"
code = "EX-1"
title = "Example"
duration_minutes = 100
question_count = 50
cut_percent = 70.0
[[domains]]
code = "a"
title = "A"
weight_min = 20
weight_max = 25
[[domains]]
code = "b"
title = "B"
weight_min = 20
weight_max = 25
[[domains]]
code = "c"
title = "C"
weight_min = 25
weight_max = 30
[[domains]]
code = "d"
title = "D"
weight_min = 25
weight_max = 30
"#,
        )
        .unwrap()
    }

    #[test]
    fn sample_is_valid_and_ranges_are_whole_questions() {
        let b = sample();
        assert!(b.problems().is_empty(), "{:?}", b.problems());
        assert_eq!(b.domain_count_range(&b.domains[0]), (10, 12));
        assert_eq!(b.domain_count_range(&b.domains[2]), (13, 15));
    }

    #[test]
    fn scale_hits_anchors() {
        assert_eq!(scale(0.0, 0.7), 1);
        assert_eq!(scale(0.7, 0.7), 700);
        assert_eq!(scale(1.0, 0.7), 1000);
        assert!(scale(0.6999, 0.7) < 700);
    }

    proptest! {
        #[test]
        fn scale_is_monotonic_and_bounded(a in 0.0f64..=1.0, b in 0.0f64..=1.0, cut in 0.05f64..0.95) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(scale(lo, cut) <= scale(hi, cut));
            prop_assert!((1..=1000).contains(&scale(a, cut)));
            prop_assert_eq!(scale(cut, cut), 700);
            if a < cut - 1e-9 { prop_assert!(scale(a, cut) < 700); }
        }
    }
}
