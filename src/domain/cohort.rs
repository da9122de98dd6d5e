//! A cohort at a glance: what its members' readiness estimates say about the team as a whole.
//!
//! Every figure starts from the members' own readiness estimates (`domain::readiness`), never
//! from averaged scores:
//!
//! - **Predicted pass rate.** Each member passes or fails independently with their estimated
//!   chance, so the number who pass follows a Poisson-binomial distribution, computed exactly.
//!   Its mean is the average chance, and its 90 % range is where the count falls at least nine
//!   times in ten: a cohort of ten members at 50 % each says "5 of 10, likely 2 to 8", where a
//!   plain average would say only "50 %", and twenty members at 90 % say "18, likely 16 to 20". A member's own interval does not widen the count further:
//!   for one member, averaging a pass/fail outcome over every plausible chance gives a single
//!   chance (the mean), and members' estimates rest on separate answers, so they err
//!   independently. Members without an estimate count as a coin toss (50 %, the widest case),
//!   and the page says how many there are.
//! - **Bands** sort members by chance of passing, with the same thresholds as a candidate's own
//!   report: 80 % and above is on track, 50 % and above within reach.
//! - **Weakest objectives across the cohort** pool members' mastery of each objective weighted
//!   by precision (the inverse square of each member's interval width), so a member with two
//!   answers on an objective moves the cohort figure far less than one with twenty.
//! - **Heat map** cells read a member's mastery of a skill area against the exam's cut, and flag
//!   cells whose interval is too wide to act on.
//! - **Activity** compares this week with the week before, per member and for the cohort.

use rand::Rng;

/// Characters of a join code: upper-case letters and digits without 0, O, 1 and I, which are
/// easily confused when read aloud or copied from a slide.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Eight characters from 32: about 10¹² codes, so guessing a live one is hopeless.
pub const CODE_LEN: usize = 8;
/// Join codes last this long unless the instructor chooses otherwise.
pub const DEFAULT_CODE_DAYS: u32 = 14;
pub const MAX_CODE_DAYS: u32 = 90;

/// A fresh random join code (stored and compared without the dash).
pub fn new_join_code(rng: &mut impl Rng) -> String {
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// How a code is shown: two groups of four, `ABCD-EF23`.
pub fn display_code(code: &str) -> String {
    if code.len() == CODE_LEN && code.is_ascii() {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_string()
    }
}

/// A code as a person typed it: case, spaces and dashes do not matter. `None` when it cannot be
/// a join code at all.
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// How long a new code stays valid, from what the instructor typed (empty: the default).
pub fn code_days(typed: &str) -> Result<u32, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(DEFAULT_CODE_DAYS);
    }
    match t.parse::<u32>() {
        Ok(d) if (1..=MAX_CODE_DAYS).contains(&d) => Ok(d),
        _ => Err(format!(
            "“{t}” is not a number of days between 1 and {MAX_CODE_DAYS}."
        )),
    }
}

// --- members' estimates ----------------------------------------------------------------------

/// A member's chance of passing, from their readiness report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chance {
    pub probability: f64,
    pub low: f64,
    pub high: f64,
}

/// Where a member stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Band {
    /// 80 % or more: on track.
    Likely,
    /// 50 % to 80 %.
    WithinReach,
    /// 20 % to 50 %.
    AtRisk,
    /// Below 20 %.
    Unlikely,
    /// Too few answers for an estimate.
    NoEstimate,
}

impl Band {
    pub const ALL: [Band; 5] = [
        Band::Likely,
        Band::WithinReach,
        Band::AtRisk,
        Band::Unlikely,
        Band::NoEstimate,
    ];

    pub fn of(chance: Option<&Chance>) -> Band {
        match chance.map(|c| c.probability) {
            None => Band::NoEstimate,
            Some(p) if p >= 0.8 => Band::Likely,
            Some(p) if p >= 0.5 => Band::WithinReach,
            Some(p) if p >= 0.2 => Band::AtRisk,
            Some(_) => Band::Unlikely,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::Likely => "On track (80 % or more)",
            Band::WithinReach => "Within reach (50–79 %)",
            Band::AtRisk => "At risk (20–49 %)",
            Band::Unlikely => "Unlikely (below 20 %)",
            Band::NoEstimate => "Too few answers for an estimate",
        }
    }

    /// A short word for table cells.
    pub fn short(self) -> &'static str {
        match self {
            Band::Likely => "On track",
            Band::WithinReach => "Within reach",
            Band::AtRisk => "At risk",
            Band::Unlikely => "Unlikely",
            Band::NoEstimate => "No estimate",
        }
    }

    /// CSS class naming the band's colour (the text always says it too).
    pub fn css(self) -> &'static str {
        match self {
            Band::Likely => "band-likely",
            Band::WithinReach => "band-reach",
            Band::AtRisk => "band-risk",
            Band::Unlikely => "band-unlikely",
            Band::NoEstimate => "band-none",
        }
    }
}

/// Members per band, every band listed (in `Band::ALL` order).
pub fn distribution(members: &[Option<Chance>]) -> Vec<(Band, usize)> {
    Band::ALL
        .iter()
        .map(|&b| {
            (
                b,
                members.iter().filter(|c| Band::of(c.as_ref()) == b).count(),
            )
        })
        .collect()
}

/// The cohort's predicted pass rate.
#[derive(Debug, Clone, PartialEq)]
pub struct PassRate {
    pub members: usize,
    /// Members with an estimate; the others count as a coin toss.
    pub estimated: usize,
    /// Expected share of members who pass, 0..=1.
    pub expected: f64,
    /// 90 % range of the share who pass.
    pub low: f64,
    pub high: f64,
    /// The same in members.
    pub expected_count: f64,
    pub low_count: usize,
    pub high_count: usize,
}

/// What a member without an estimate counts as.
const UNKNOWN_CHANCE: f64 = 0.5;
/// Mass of the pass-rate range.
pub const RATE_INTERVAL: f64 = 0.9;

/// The distribution of the number of members who pass: `pmf[k]` = P(exactly k pass).
pub fn pass_count_pmf(chances: &[f64]) -> Vec<f64> {
    let mut pmf = vec![0.0; chances.len() + 1];
    pmf[0] = 1.0;
    for (i, &p) in chances.iter().enumerate() {
        let p = if p.is_finite() {
            p.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // Walk down so every entry still holds the previous member's distribution when read.
        for k in (1..=i + 1).rev() {
            pmf[k] = pmf[k] * (1.0 - p) + pmf[k - 1] * p;
        }
        pmf[0] *= 1.0 - p;
    }
    pmf
}

/// Predicted share of the cohort who would pass, with a 90 % range; `None` for an empty cohort.
pub fn predicted_pass_rate(members: &[Option<Chance>]) -> Option<PassRate> {
    if members.is_empty() {
        return None;
    }
    let chances: Vec<f64> = members
        .iter()
        .map(|c| c.map(|c| c.probability).unwrap_or(UNKNOWN_CHANCE))
        .collect();
    let pmf = pass_count_pmf(&chances);
    let n = members.len();
    let expected_count: f64 = chances.iter().map(|p| p.clamp(0.0, 1.0)).sum();
    let tail = (1.0 - RATE_INTERVAL) / 2.0;
    // Smallest k with P(X ≤ k) ≥ tail, and smallest k with P(X ≤ k) ≥ 1 − tail.
    let quantile = |q: f64| {
        let mut acc = 0.0;
        for (k, p) in pmf.iter().enumerate() {
            acc += p;
            if acc >= q - 1e-12 {
                return k;
            }
        }
        n
    };
    let low_count = quantile(tail).min(expected_count.floor() as usize);
    let high_count = quantile(1.0 - tail)
        .max(expected_count.ceil() as usize)
        .min(n);
    Some(PassRate {
        members: n,
        estimated: members.iter().filter(|c| c.is_some()).count(),
        expected: expected_count / n as f64,
        low: low_count as f64 / n as f64,
        high: high_count as f64 / n as f64,
        expected_count,
        low_count,
        high_count,
    })
}

/// One sentence on whether the cohort is on track for its target date.
pub fn on_track_statement(counts: &[(Band, usize)], days_left: Option<i64>) -> String {
    let count = |b: Band| {
        counts
            .iter()
            .find(|(x, _)| *x == b)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let on_track = count(Band::Likely);
    let reach = count(Band::WithinReach);
    let behind = count(Band::AtRisk) + count(Band::Unlikely);
    let unknown = count(Band::NoEstimate);
    if total == 0 {
        return "No members yet: share the join code to invite candidates.".into();
    }
    let when = match days_left {
        None => "No target date is set.".to_string(),
        Some(d) if d < 0 => "The target date has passed; set a new one.".to_string(),
        Some(0) => "The target date is today.".to_string(),
        Some(1) => "The target date is tomorrow.".to_string(),
        Some(d) if d < 14 => {
            format!("The target date is in {d} days: little time is left for the members behind.")
        }
        Some(d) => format!("The target date is in {d} days."),
    };
    let mut s = format!("{on_track} of {total} on track, {reach} within reach, {behind} behind");
    if unknown > 0 {
        s.push_str(&format!(
            ", {unknown} without enough answers for an estimate"
        ));
    }
    s.push_str(". ");
    s.push_str(&when);
    s
}

// --- mastery across the cohort ----------------------------------------------------------------

/// One member's mastery of one skill area or objective, 0..=1, from their readiness report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberMastery {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub answers: u32,
}

/// An objective as the cohort knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortMastery {
    /// Position of the objective in the list given.
    pub index: usize,
    /// Precision-weighted mean over members, 0..=1.
    pub mean: f64,
    /// 90 % range of that mean.
    pub low: f64,
    pub high: f64,
    /// Answers by every member together.
    pub answers: u32,
    /// Members who answered at least one question on it.
    pub members_answered: usize,
    /// Members whose whole interval lies below the cut: clearly behind on it.
    pub members_below_cut: usize,
}

/// z for a two-sided 90 % interval.
const Z90: f64 = 1.644_853_6;
/// No member's interval counts as narrower than this (share of points), so one member with a
/// very long history cannot outweigh everyone else.
const MIN_SD: f64 = 0.02;

/// Pools members' mastery of each objective. `per_member[m][o]` is member m's mastery of
/// objective o; every member lists the same objectives.
pub fn pool_mastery(per_member: &[Vec<MemberMastery>], cut: f64) -> Vec<CohortMastery> {
    let objectives = per_member.first().map(|m| m.len()).unwrap_or(0);
    (0..objectives)
        .map(|o| {
            let (mut sw, mut swx) = (0.0, 0.0);
            let (mut answers, mut answered, mut below) = (0u32, 0, 0);
            for m in per_member.iter().filter_map(|m| m.get(o)) {
                let sd = ((m.high - m.low) / (2.0 * Z90)).max(MIN_SD);
                let w = 1.0 / (sd * sd);
                if m.mean.is_finite() {
                    sw += w;
                    swx += w * m.mean;
                }
                answers += m.answers;
                answered += usize::from(m.answers > 0);
                below += usize::from(m.answers > 0 && m.high < cut);
            }
            let mean = if sw > 0.0 { swx / sw } else { 0.5 };
            let se = if sw > 0.0 { (1.0 / sw).sqrt() } else { 0.5 };
            CohortMastery {
                index: o,
                mean: mean.clamp(0.0, 1.0),
                low: (mean - Z90 * se).clamp(0.0, 1.0),
                high: (mean + Z90 * se).clamp(0.0, 1.0),
                answers,
                members_answered: answered,
                members_below_cut: below,
            }
        })
        .collect()
}

/// The objectives the cohort should study next, weakest first: those the cohort has answered
/// and whose pooled range is not wholly above the cut, at most `limit`.
pub fn weakest(pooled: &[CohortMastery], cut: f64, limit: usize) -> Vec<CohortMastery> {
    let mut weak: Vec<&CohortMastery> = pooled
        .iter()
        .filter(|c| c.members_answered > 0 && c.low < cut)
        .collect();
    weak.sort_by(|a, b| {
        a.mean
            .total_cmp(&b.mean)
            .then(b.members_below_cut.cmp(&a.members_below_cut))
            .then(a.index.cmp(&b.index))
    });
    weak.into_iter().take(limit).cloned().collect()
}

/// Heat of a heat-map cell, 0 (far below the cut) to 4 (well above), from the mastery and the
/// exam's cut (both 0..=1).
pub fn heat(mean: f64, cut: f64) -> u8 {
    let d = mean - cut;
    if d < -0.2 {
        0
    } else if d < -0.1 {
        1
    } else if d < 0.0 {
        2
    } else if d < 0.1 {
        3
    } else {
        4
    }
}

/// The words a heat level stands for (the cell's text equivalent of its colour).
pub fn heat_words(level: u8) -> &'static str {
    match level {
        0 => "far below the cut",
        1 => "below the cut",
        2 => "just below the cut",
        3 => "just above the cut",
        _ => "well above the cut",
    }
}

/// A cell whose interval is this wide (share of points) says little yet.
pub const UNCERTAIN_WIDTH: f64 = 0.3;

pub fn is_uncertain(m: &MemberMastery) -> bool {
    m.answers == 0 || m.high - m.low > UNCERTAIN_WIDTH
}

// --- sorting the member table -----------------------------------------------------------------

/// What the member table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Pass,
    /// A skill area, by its position in the blueprint.
    Area(usize),
    LastActive,
}

impl SortKey {
    /// From the `sort` query value: `name`, `pass`, `active` or `area-N`.
    pub fn parse(s: &str, areas: usize) -> Option<SortKey> {
        match s {
            "name" => Some(SortKey::Name),
            "pass" => Some(SortKey::Pass),
            "active" => Some(SortKey::LastActive),
            _ => s
                .strip_prefix("area-")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|&n| n < areas)
                .map(SortKey::Area),
        }
    }

    pub fn as_param(self) -> String {
        match self {
            SortKey::Name => "name".into(),
            SortKey::Pass => "pass".into(),
            SortKey::LastActive => "active".into(),
            SortKey::Area(n) => format!("area-{n}"),
        }
    }

    /// The direction a first click sorts in: the weakest or least active first, names A–Z.
    pub fn natural_descending(self) -> bool {
        matches!(self, SortKey::LastActive)
    }
}

/// What sorting needs of a member.
#[derive(Debug, Clone, PartialEq)]
pub struct SortFacts {
    pub name: String,
    pub pass: Option<f64>,
    pub areas: Vec<f64>,
    /// Seconds since the epoch of the last activity.
    pub last_active: Option<i64>,
}

/// The order of members (indices into `rows`) for a key and direction. Members without a value
/// (no estimate, never active) come last either way; ties go by name.
pub fn order(rows: &[SortFacts], key: SortKey, descending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    let value = |r: &SortFacts| -> Option<f64> {
        match key {
            SortKey::Name => Some(0.0),
            SortKey::Pass => r.pass,
            SortKey::Area(a) => r.areas.get(a).copied(),
            SortKey::LastActive => r.last_active.map(|t| t as f64),
        }
    };
    idx.sort_by(|&i, &j| {
        let (a, b) = (&rows[i], &rows[j]);
        let by_value = match (value(a), value(b)) {
            (Some(x), Some(y)) => {
                let o = x.total_cmp(&y);
                if descending {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        let by_name = {
            let o = a.name.to_lowercase().cmp(&b.name.to_lowercase());
            if key == SortKey::Name && descending {
                o.reverse()
            } else {
                o
            }
        };
        by_value.then(by_name).then(i.cmp(&j))
    });
    idx
}

// --- activity ---------------------------------------------------------------------------------

/// What a member (or the cohort) did in one week.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Week {
    pub mocks: u32,
    pub practice_answers: u32,
    pub minutes: u32,
}

impl Week {
    pub fn add(&mut self, o: &Week) {
        self.mocks += o.mocks;
        self.practice_answers += o.practice_answers;
        self.minutes += o.minutes;
    }

    pub fn is_empty(&self) -> bool {
        *self == Week::default()
    }
}

/// This week against the week before, in words: "up from 3", "down from 40", "same as last
/// week", "none last week".
pub fn change(this: u32, last: u32) -> String {
    use std::cmp::Ordering::*;
    match (this.cmp(&last), last) {
        (Equal, _) => "same as last week".into(),
        (Greater, 0) => "none last week".into(),
        (Greater, l) => format!("up from {l}"),
        (Less, l) => format!("down from {l}"),
    }
}

// --- assignments ------------------------------------------------------------------------------

/// Where a member stands on an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssignmentStatus {
    NotStarted,
    InProgress,
    Done,
    /// Not done and the due date has passed (started or not).
    Overdue,
}

impl AssignmentStatus {
    /// From the member's attempt (`None`: not started, `Some(true)`: submitted) and whether
    /// the due date has passed. Work done late stays done.
    pub fn of(attempt_submitted: Option<bool>, past_due: bool) -> AssignmentStatus {
        match (attempt_submitted, past_due) {
            (Some(true), _) => AssignmentStatus::Done,
            (_, true) => AssignmentStatus::Overdue,
            (Some(false), false) => AssignmentStatus::InProgress,
            (None, false) => AssignmentStatus::NotStarted,
        }
    }

    pub fn is_done(self) -> bool {
        self == AssignmentStatus::Done
    }

    pub fn label(self) -> &'static str {
        match self {
            AssignmentStatus::NotStarted => "Not started",
            AssignmentStatus::InProgress => "In progress",
            AssignmentStatus::Done => "Done",
            AssignmentStatus::Overdue => "Overdue",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            AssignmentStatus::NotStarted => "status-todo",
            AssignmentStatus::InProgress => "status-progress",
            AssignmentStatus::Done => "status-done",
            AssignmentStatus::Overdue => "status-overdue",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn chance(p: f64) -> Option<Chance> {
        Some(Chance {
            probability: p,
            low: (p - 0.1).max(0.0),
            high: (p + 0.1).min(1.0),
        })
    }

    #[test]
    fn codes_avoid_confusable_characters_and_read_in_two_groups() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..500 {
            let c = new_join_code(&mut rng);
            assert_eq!(c.len(), CODE_LEN);
            assert!(!c.contains(['0', 'O', '1', 'I']), "{c}");
            assert_eq!(normalise_code(&display_code(&c)), Some(c.clone()));
            assert_eq!(normalise_code(&display_code(&c).to_lowercase()), Some(c));
        }
        assert_eq!(display_code("ABCDEFGH"), "ABCD-EFGH");
        assert_eq!(normalise_code(" abcd efgh "), Some("ABCDEFGH".into()));
        assert_eq!(normalise_code("ABCD-EFG0"), None, "0 is never in a code");
        assert_eq!(normalise_code("ABCDEFG"), None);
        assert_eq!(normalise_code("ABCDÉFGH"), None);
    }

    #[test]
    fn code_lifetimes_are_bounded() {
        assert_eq!(code_days(""), Ok(DEFAULT_CODE_DAYS));
        assert_eq!(code_days(" 7 "), Ok(7));
        assert!(code_days("0").is_err());
        assert!(code_days("91").is_err());
        assert!(code_days("soon").unwrap_err().contains("“soon”"));
    }

    #[test]
    fn bands_follow_the_readiness_report_thresholds() {
        assert_eq!(Band::of(chance(0.8).as_ref()), Band::Likely);
        assert_eq!(Band::of(chance(0.79).as_ref()), Band::WithinReach);
        assert_eq!(Band::of(chance(0.5).as_ref()), Band::WithinReach);
        assert_eq!(Band::of(chance(0.2).as_ref()), Band::AtRisk);
        assert_eq!(Band::of(chance(0.05).as_ref()), Band::Unlikely);
        assert_eq!(Band::of(None), Band::NoEstimate);
        let d = distribution(&[chance(0.9), chance(0.85), None, chance(0.1)]);
        assert_eq!(
            d,
            vec![
                (Band::Likely, 2),
                (Band::WithinReach, 0),
                (Band::AtRisk, 0),
                (Band::Unlikely, 1),
                (Band::NoEstimate, 1)
            ]
        );
    }

    #[test]
    fn ten_coin_tosses_give_five_likely_two_to_eight() {
        let r = predicted_pass_rate(&vec![chance(0.5); 10]).unwrap();
        assert!((r.expected - 0.5).abs() < 1e-12);
        assert_eq!((r.low_count, r.high_count), (2, 8));
        // Binomial(10, 0.5): P(X ≤ 2) = 5.5 %, P(X ≤ 1) = 1.1 %: the 5 % quantile is 2.
        let pmf = pass_count_pmf(&[0.5; 10]);
        assert!((pmf[5] - 252.0 / 1024.0).abs() < 1e-12);
    }

    #[test]
    fn certain_members_give_a_certain_rate() {
        let r = predicted_pass_rate(&[chance(1.0), chance(1.0), chance(0.0)]).unwrap();
        assert_eq!((r.low_count, r.high_count), (2, 2));
        assert!((r.expected - 2.0 / 3.0).abs() < 1e-12);
        assert!(predicted_pass_rate(&[]).is_none());
    }

    #[test]
    fn members_without_an_estimate_widen_the_range() {
        let known = predicted_pass_rate(&vec![chance(0.95); 20]).unwrap();
        let mut some_unknown = vec![chance(0.95); 15];
        some_unknown.extend(vec![None; 5]);
        let r = predicted_pass_rate(&some_unknown).unwrap();
        assert_eq!(r.estimated, 15);
        assert!(r.high - r.low > known.high - known.low);
        assert!(r.expected < known.expected);
    }

    #[test]
    fn statement_counts_members_and_days() {
        let d = distribution(&[chance(0.9), chance(0.6), chance(0.1), None]);
        let s = on_track_statement(&d, Some(30));
        assert_eq!(s, "1 of 4 on track, 1 within reach, 1 behind, 1 without enough answers for an estimate. The target date is in 30 days.");
        assert!(on_track_statement(&d, Some(-1)).contains("has passed"));
        assert!(on_track_statement(&d, None).contains("No target date"));
        assert!(on_track_statement(&[], Some(3)).contains("No members"));
    }

    fn mm(mean: f64, half_width: f64, answers: u32) -> MemberMastery {
        MemberMastery {
            mean,
            low: (mean - half_width).max(0.0),
            high: (mean + half_width).min(1.0),
            answers,
        }
    }

    #[test]
    fn pooled_mastery_leans_on_the_members_it_knows_best() {
        // One member known precisely at 40 %, three barely known at 90 %.
        let per_member = vec![
            vec![mm(0.4, 0.03, 40)],
            vec![mm(0.9, 0.35, 1)],
            vec![mm(0.9, 0.35, 1)],
            vec![mm(0.9, 0.35, 1)],
        ];
        let pooled = pool_mastery(&per_member, 0.7);
        assert!(
            pooled[0].mean < 0.45,
            "precision weighting: {}",
            pooled[0].mean
        );
        assert_eq!(pooled[0].members_answered, 4);
        assert_eq!(pooled[0].members_below_cut, 1);
        assert_eq!(pooled[0].answers, 43);
    }

    #[test]
    fn weakest_skips_unanswered_and_clearly_strong_objectives() {
        let per_member = vec![
            vec![
                mm(0.5, 0.05, 10),
                mm(0.3, 0.3, 0),
                mm(0.95, 0.02, 30),
                mm(0.6, 0.05, 10),
            ],
            vec![
                mm(0.55, 0.05, 10),
                mm(0.3, 0.3, 0),
                mm(0.93, 0.02, 30),
                mm(0.65, 0.05, 10),
            ],
        ];
        let pooled = pool_mastery(&per_member, 0.7);
        let w: Vec<usize> = weakest(&pooled, 0.7, 5).iter().map(|c| c.index).collect();
        assert_eq!(w, vec![0, 3]);
        assert_eq!(weakest(&pooled, 0.7, 1).len(), 1);
    }

    #[test]
    fn heat_reads_against_the_cut() {
        assert_eq!(heat(0.45, 0.7), 0);
        assert_eq!(heat(0.55, 0.7), 1);
        assert_eq!(heat(0.65, 0.7), 2);
        assert_eq!(heat(0.75, 0.7), 3);
        assert_eq!(heat(0.95, 0.7), 4);
        assert!(is_uncertain(&mm(0.7, 0.2, 3)));
        assert!(is_uncertain(&mm(0.7, 0.01, 0)));
        assert!(!is_uncertain(&mm(0.7, 0.1, 30)));
    }

    fn facts(name: &str, pass: Option<f64>, area: f64, active: Option<i64>) -> SortFacts {
        SortFacts {
            name: name.into(),
            pass,
            areas: vec![area],
            last_active: active,
        }
    }

    #[test]
    fn sorting_puts_missing_values_last_either_way() {
        let rows = vec![
            facts("bea", Some(0.9), 0.8, Some(10)),
            facts("Al", None, 0.4, None),
            facts("cy", Some(0.2), 0.6, Some(30)),
        ];
        assert_eq!(order(&rows, SortKey::Name, false), vec![1, 0, 2]);
        assert_eq!(order(&rows, SortKey::Name, true), vec![2, 0, 1]);
        assert_eq!(order(&rows, SortKey::Pass, false), vec![2, 0, 1]);
        assert_eq!(order(&rows, SortKey::Pass, true), vec![0, 2, 1]);
        assert_eq!(order(&rows, SortKey::Area(0), false), vec![1, 2, 0]);
        assert_eq!(order(&rows, SortKey::LastActive, true), vec![2, 0, 1]);
        assert_eq!(SortKey::parse("area-0", 1), Some(SortKey::Area(0)));
        assert_eq!(SortKey::parse("area-1", 1), None);
        assert_eq!(SortKey::parse("pass", 1), Some(SortKey::Pass));
        assert_eq!(SortKey::parse("bogus", 1), None);
        for k in [
            SortKey::Name,
            SortKey::Pass,
            SortKey::LastActive,
            SortKey::Area(3),
        ] {
            assert_eq!(SortKey::parse(&k.as_param(), 4), Some(k));
        }
    }

    #[test]
    fn weeks_compare_in_words() {
        assert_eq!(change(5, 3), "up from 3");
        assert_eq!(change(2, 3), "down from 3");
        assert_eq!(change(3, 3), "same as last week");
        assert_eq!(change(4, 0), "none last week");
    }

    #[test]
    fn assignment_status_follows_the_attempt_and_the_due_date() {
        use AssignmentStatus::*;
        assert_eq!(AssignmentStatus::of(None, false), NotStarted);
        assert_eq!(AssignmentStatus::of(Some(false), false), InProgress);
        assert_eq!(AssignmentStatus::of(Some(true), false), Done);
        assert_eq!(AssignmentStatus::of(Some(true), true), Done);
        assert_eq!(AssignmentStatus::of(Some(false), true), Overdue);
        assert_eq!(AssignmentStatus::of(None, true), Overdue);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn pass_count_distribution_is_a_distribution(ps in proptest::collection::vec(0.0f64..=1.0, 0..60)) {
            let pmf = pass_count_pmf(&ps);
            prop_assert_eq!(pmf.len(), ps.len() + 1);
            prop_assert!(pmf.iter().all(|&p| p >= -1e-12));
            prop_assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            let mean: f64 = pmf.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
            prop_assert!((mean - ps.iter().sum::<f64>()).abs() < 1e-7);
        }

        #[test]
        fn the_range_holds_the_expected_rate(
            ps in proptest::collection::vec(proptest::option::of(0.0f64..=1.0), 1..80)
        ) {
            let members: Vec<Option<Chance>> = ps.iter().map(|p| p.and_then(chance)).collect();
            let r = predicted_pass_rate(&members).unwrap();
            prop_assert!(r.low <= r.expected + 1e-12 && r.expected <= r.high + 1e-12);
            prop_assert!(r.low >= 0.0 && r.high <= 1.0);
            prop_assert!(r.low_count <= r.high_count && r.high_count <= members.len());
            prop_assert_eq!(r.estimated, ps.iter().filter(|p| p.is_some()).count());
        }

        #[test]
        fn a_member_doing_better_never_lowers_the_cohort(
            ps in proptest::collection::vec(0.0f64..=1.0, 1..40), i in 0usize..40, up in 0.0f64..=1.0
        ) {
            let i = i % ps.len();
            let before: Vec<_> = ps.iter().map(|&p| chance(p)).collect();
            let mut after = before.clone();
            let better = ps[i] + (1.0 - ps[i]) * up;
            after[i] = chance(better);
            let (a, b) = (predicted_pass_rate(&before).unwrap(), predicted_pass_rate(&after).unwrap());
            prop_assert!(b.expected >= a.expected - 1e-12);
            prop_assert!(b.high_count >= a.high_count);
            prop_assert!(b.low_count >= a.low_count);
        }

        #[test]
        fn pooled_mastery_stays_within_the_members(
            ms in proptest::collection::vec((0.0f64..=1.0, 0.0f64..0.5, 0u32..50), 1..30)
        ) {
            let per_member: Vec<Vec<MemberMastery>> = ms.iter().map(|&(m, w, n)| vec![mm(m, w, n)]).collect();
            let p = &pool_mastery(&per_member, 0.7)[0];
            let lo = ms.iter().map(|m| m.0).fold(1.0, f64::min);
            let hi = ms.iter().map(|m| m.0).fold(0.0, f64::max);
            prop_assert!(p.mean >= lo - 1e-9 && p.mean <= hi + 1e-9);
            prop_assert!(p.low <= p.mean && p.mean <= p.high);
        }

        #[test]
        fn any_typed_code_normalises_to_a_valid_code_or_nothing(s in "\\PC{0,20}") {
            if let Some(c) = normalise_code(&s) {
                prop_assert_eq!(c.len(), CODE_LEN);
                prop_assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)));
            }
        }

        #[test]
        fn sorting_is_a_permutation(
            rows in proptest::collection::vec((proptest::option::of(0.0f64..1.0), 0.0f64..1.0, proptest::option::of(0i64..1000)), 0..30),
            desc: bool, key in 0usize..4
        ) {
            let facts: Vec<SortFacts> = rows.iter().enumerate()
                .map(|(i, r)| SortFacts { name: format!("m{i}"), pass: r.0, areas: vec![r.1], last_active: r.2 })
                .collect();
            let key = [SortKey::Name, SortKey::Pass, SortKey::Area(0), SortKey::LastActive][key];
            let mut o = order(&facts, key, desc);
            o.sort_unstable();
            prop_assert_eq!(o, (0..facts.len()).collect::<Vec<_>>());
        }
    }
}
