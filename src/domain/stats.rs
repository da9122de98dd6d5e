//! Item analysis by classical test theory, following the formulas of Moodle's quiz statistics
//! (docs/item-analysis.md gives each one with its source), adapted to randomised forms: each
//! question is analysed over the submitted attempts that showed it, an attempt's score is the
//! share of its points earned, and an attempt's "rest" score is the share of points it earned on
//! its other questions. On a fixed form every figure equals Moodle's.
//!
//! Per question: facility, SD, random-guess score, intended and effective weight, discrimination
//! index (item–rest correlation), discriminative efficiency, per-part discrimination (the figure
//! the flags use: it does not grow with the number of parts), median time, and how often each
//! option was chosen (as written, by all candidates and by the strongest third). Per test: mean,
//! median, SD, skewness, kurtosis, Cronbach's α over positions, error ratio, standard error and a
//! histogram of scores.

use crate::domain::item::{Choice, ItemBody, OrderScoring, Response};
use std::collections::HashMap;

/// Fewer answers than this and a question's figures are too noisy to act on: no flag but this.
pub const MIN_ANSWERS: usize = 10;
/// Per-part discrimination below this is weak (Ebel's "poor" band starts under 0.20).
pub const WEAK_DISCRIMINATION: f64 = 20.0;
/// Facility above this: nearly everyone earns the points, the question tells little apart.
pub const TOO_EASY: f64 = 95.0;
/// Facility below this (or below the random-guess score): check the key and the wording.
pub const TOO_HARD: f64 = 20.0;
/// Below this variance a figure that divides by it is not defined.
const TINY: f64 = 1e-12;

/// One option chosen in a response: (part, option) indices into the question's [`ChoiceTable`].
pub type Pick = (u16, u16);

/// One scored question of one submitted attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Dense index of the attempt (0..attempts).
    pub attempt: u32,
    /// Dense index of the question (0..questions).
    pub question: u32,
    /// Where the question sat in the attempt (1-based): the "slot" of Cronbach's α.
    pub position: u32,
    pub points: f64,
    /// Points the question was worth (> 0).
    pub max: f64,
    /// Time spent on it, when recorded.
    pub seconds: Option<f64>,
    /// The options chosen, when the response answered the version the choice table describes.
    pub picks: Option<Vec<Pick>>,
}

/// What the analysis knows of a question besides its answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuestionInfo {
    /// Expected share of the points for a response given at random (0–1), if defined.
    pub random_guess: Option<f64>,
    /// The options of the version whose responses are counted per option.
    pub choices: Option<ChoiceTable>,
}

/// The options of a question as written, part by part (one part for a choice list; one per
/// blank, prompt, position or statement otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceTable {
    pub parts: Vec<ChoicePart>,
    /// Whether the wrong options are distractors that the distractor flags apply to (choice
    /// lists, drop-down blanks, matching); positions of a list and yes/no statements are not.
    pub distractors: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoicePart {
    /// "Options", "Blank 2", "Prompt 1", "Position 3", "Statement 2"…
    pub label: String,
    /// (id as written, inline Markdown text, is it the key?)
    pub options: Vec<(String, String, bool)>,
}

/// How often one option was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptionCount {
    pub chosen: usize,
    /// Chosen by candidates in the strongest third (by the rest of their attempt).
    pub strong: usize,
}

/// Option counts of one question: `counts[part][option]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Distractors {
    /// Responses counted (answers to the version the table describes).
    pub n: usize,
    /// Of which in the strongest third.
    pub strong_n: usize,
    pub counts: Vec<Vec<OptionCount>>,
}

/// Why a question needs a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    TooFewAnswers,
    NegativeDiscrimination,
    WeakDiscrimination,
    TooHard,
    TooEasy,
    /// A wrong option nobody chose: (part, option).
    UnpickedDistractor(u16, u16),
    /// A wrong option the strongest third chose more often than a correct one: (part, option).
    DistractorBeatsKey(u16, u16),
}

impl Flag {
    /// Short text for tables; option flags name the option through `option_name`.
    pub fn describe(&self, option_name: impl Fn(u16, u16) -> String) -> String {
        match *self {
            Flag::TooFewAnswers => "Too few answers to judge".into(),
            Flag::NegativeDiscrimination => {
                "Negative discrimination: stronger candidates do worse — check the key".into()
            }
            Flag::WeakDiscrimination => "Weak discrimination".into(),
            Flag::TooHard => "Very hard: check the key and the wording".into(),
            Flag::TooEasy => "Very easy: tells candidates apart little".into(),
            Flag::UnpickedDistractor(p, o) => format!("Nobody chose {}", option_name(p, o)),
            Flag::DistractorBeatsKey(p, o) => format!(
                "Strong candidates chose {} more often than the key",
                option_name(p, o)
            ),
        }
    }

    /// A short name for filtering and CSV.
    pub fn code(&self) -> &'static str {
        match self {
            Flag::TooFewAnswers => "too-few-answers",
            Flag::NegativeDiscrimination => "negative-discrimination",
            Flag::WeakDiscrimination => "weak-discrimination",
            Flag::TooHard => "too-hard",
            Flag::TooEasy => "too-easy",
            Flag::UnpickedDistractor(..) => "unpicked-distractor",
            Flag::DistractorBeatsKey(..) => "distractor-beats-key",
        }
    }

    /// Whether it asks for a look (too few answers only asks for patience).
    pub fn needs_look(&self) -> bool {
        *self != Flag::TooFewAnswers
    }
}

/// The figures of one question. Percentages are 0–100.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionStats {
    pub question: u32,
    /// Answers (attempts that showed it).
    pub n: usize,
    pub facility: f64,
    /// SD of the marks as a percentage of the question's points.
    pub sd: Option<f64>,
    pub random_guess: Option<f64>,
    /// 100 × its points / the attempt's points, averaged over the attempts that showed it.
    pub intended_weight: f64,
    pub effective_weight: Option<f64>,
    /// 100 × item–rest correlation.
    pub discrimination: Option<f64>,
    /// 100 × Cov(item, rest) / the largest covariance the same marks could have.
    pub efficiency: Option<f64>,
    /// 100 × Cov(item, rest) per part / the spread of a one-part question of the same facility:
    /// equal to the discrimination index on one-part questions, and free of its growth with the
    /// number of parts (docs/item-analysis.md shows the simulation).
    pub part_discrimination: Option<f64>,
    pub median_seconds: Option<f64>,
    pub distractors: Option<Distractors>,
    pub flags: Vec<Flag>,
}

/// Whole-test figures over the attempts' percentage scores.
#[derive(Debug, Clone, PartialEq)]
pub struct TestStats {
    pub attempts: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub sd: Option<f64>,
    pub skewness: Option<f64>,
    pub kurtosis: Option<f64>,
    /// Positions (slots) the coefficient of internal consistency is computed over.
    pub positions: usize,
    /// Cronbach's α (KR-20 for one-point items), as a percentage.
    pub alpha: Option<f64>,
    pub error_ratio: Option<f64>,
    pub standard_error: Option<f64>,
    /// Attempts per tenth of the score range: 0–<10 %, …, 90–100 %.
    pub histogram: [usize; 10],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub test: TestStats,
    /// One per question with at least one answer, by question index.
    pub questions: Vec<QuestionStats>,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample covariance (n − 1), as Moodle uses.
fn cov(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (a.len() as f64 - 1.0)
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 0 {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    })
}

/// Per attempt: points earned and points possible.
fn attempt_totals(answers: &[&Answer]) -> Vec<(f64, f64)> {
    let n = answers
        .iter()
        .map(|a| a.attempt as usize + 1)
        .max()
        .unwrap_or(0);
    let mut totals = vec![(0.0, 0.0); n];
    for a in answers {
        let t = &mut totals[a.attempt as usize];
        t.0 += a.points;
        t.1 += a.max;
    }
    totals
}

/// The whole analysis. `questions[i]` describes question index `i`.
pub fn analyse(questions: &[QuestionInfo], answers: &[Answer]) -> Analysis {
    let answers: Vec<&Answer> = answers.iter().filter(|a| a.max > 0.0).collect();
    let totals = attempt_totals(&answers);
    let score = |attempt: u32| {
        let (t, m) = totals[attempt as usize];
        100.0 * t / m
    };
    // Answers grouped by question, in input order.
    let nq = questions.len().max(
        answers
            .iter()
            .map(|a| a.question as usize + 1)
            .max()
            .unwrap_or(0),
    );
    let mut by_question: Vec<Vec<&Answer>> = vec![Vec::new(); nq];
    for a in &answers {
        by_question[a.question as usize].push(*a);
    }
    // Effective weights need, per question, √Cov(contribution, score) first.
    let sqrt_cov: Vec<f64> = by_question
        .iter()
        .map(|rows| {
            if rows.len() < 2 {
                return 0.0;
            }
            let c: Vec<f64> = rows
                .iter()
                .map(|a| 100.0 * a.points / totals[a.attempt as usize].1)
                .collect();
            let t: Vec<f64> = rows.iter().map(|a| score(a.attempt)).collect();
            cov(&c, &t).max(0.0).sqrt()
        })
        .collect();
    let mut attempt_sqrt_cov = vec![0.0; totals.len()];
    for a in &answers {
        attempt_sqrt_cov[a.attempt as usize] += sqrt_cov[a.question as usize];
    }
    let questions_out = by_question
        .iter()
        .enumerate()
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(q, rows)| {
            let info = questions.get(q).cloned().unwrap_or_default();
            let mean_sum = rows
                .iter()
                .map(|a| attempt_sqrt_cov[a.attempt as usize])
                .sum::<f64>()
                / rows.len() as f64;
            let effective =
                (rows.len() >= 2 && mean_sum > TINY).then(|| 100.0 * sqrt_cov[q] / mean_sum);
            question_stats(q as u32, rows, &totals, &info, effective)
        })
        .collect();
    Analysis {
        test: test_stats(&answers, &totals),
        questions: questions_out,
    }
}

fn question_stats(
    question: u32,
    rows: &[&Answer],
    totals: &[(f64, f64)],
    info: &QuestionInfo,
    effective_weight: Option<f64>,
) -> QuestionStats {
    let n = rows.len();
    let x: Vec<f64> = rows
        .iter()
        .map(|a| (a.points / a.max).clamp(0.0, 1.0))
        .collect();
    let rest: Vec<f64> = rows
        .iter()
        .map(|a| {
            let (t, m) = totals[a.attempt as usize];
            if m - a.max > 0.0 {
                (t - a.points) / (m - a.max)
            } else {
                0.0
            }
        })
        .collect();
    let facility = 100.0 * mean(&x);
    let intended_weight = 100.0
        * rows
            .iter()
            .map(|a| a.max / totals[a.attempt as usize].1)
            .sum::<f64>()
        / n as f64;
    let mut seconds: Vec<f64> = rows.iter().filter_map(|a| a.seconds).collect();
    let median_seconds = median(&mut seconds);
    let random_guess = info.random_guess.map(|g| 100.0 * g);
    let (mut sd, mut discrimination, mut efficiency, mut part_discrimination) =
        (None, None, None, None);
    if n >= 2 {
        let vx = cov(&x, &x);
        let vr = cov(&rest, &rest);
        let c = cov(&x, &rest);
        sd = Some(100.0 * vx.sqrt());
        discrimination = (vx > TINY && vr > TINY).then(|| 100.0 * c / (vx * vr).sqrt());
        let p = facility / 100.0;
        let v_part = p * (1.0 - p) * n as f64 / (n as f64 - 1.0);
        part_discrimination =
            (v_part > TINY && vr > TINY).then(|| 100.0 * c / (v_part * vr).sqrt());
        let mut xs = x.clone();
        let mut rs = rest.clone();
        xs.sort_by(f64::total_cmp);
        rs.sort_by(f64::total_cmp);
        let cmax = cov(&xs, &rs);
        efficiency = (cmax > TINY).then(|| 100.0 * c / cmax);
    }
    let distractors = info
        .choices
        .as_ref()
        .map(|table| count_options(table, rows, &rest));
    let mut stats = QuestionStats {
        question,
        n,
        facility,
        sd,
        random_guess,
        intended_weight,
        effective_weight,
        discrimination,
        efficiency,
        part_discrimination,
        median_seconds,
        distractors,
        flags: vec![],
    };
    stats.flags = flags(&stats, info.choices.as_ref());
    stats
}

/// The strongest third: answers whose rest score is at least that of the ⌈n/3⌉-th best.
fn strong_threshold(rest: &[f64]) -> Option<f64> {
    if rest.is_empty() {
        return None;
    }
    let mut sorted = rest.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    Some(sorted[rest.len().div_ceil(3) - 1])
}

fn count_options(table: &ChoiceTable, rows: &[&Answer], rest: &[f64]) -> Distractors {
    let mut counts: Vec<Vec<OptionCount>> = table
        .parts
        .iter()
        .map(|p| vec![OptionCount::default(); p.options.len()])
        .collect();
    let counted: Vec<(usize, &Vec<Pick>)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.picks.as_ref().map(|p| (i, p)))
        .collect();
    let counted_rest: Vec<f64> = counted.iter().map(|(i, _)| rest[*i]).collect();
    let threshold = strong_threshold(&counted_rest);
    let mut strong_n = 0;
    for (i, picks) in &counted {
        let strong = threshold.is_some_and(|t| rest[*i] >= t);
        strong_n += strong as usize;
        let mut seen: Vec<Pick> = Vec::with_capacity(picks.len());
        for &(part, option) in picks.iter() {
            if seen.contains(&(part, option)) {
                continue;
            }
            seen.push((part, option));
            if let Some(c) = counts
                .get_mut(part as usize)
                .and_then(|p| p.get_mut(option as usize))
            {
                c.chosen += 1;
                c.strong += strong as usize;
            }
        }
    }
    Distractors {
        n: counted.len(),
        strong_n,
        counts,
    }
}

fn flags(s: &QuestionStats, table: Option<&ChoiceTable>) -> Vec<Flag> {
    if s.n < MIN_ANSWERS {
        return vec![Flag::TooFewAnswers];
    }
    let mut out = vec![];
    if s.discrimination.is_some_and(|d| d < 0.0) {
        out.push(Flag::NegativeDiscrimination);
    } else if s
        .part_discrimination
        .is_some_and(|d| d < WEAK_DISCRIMINATION)
    {
        out.push(Flag::WeakDiscrimination);
    }
    if s.facility < TOO_HARD || s.random_guess.is_some_and(|g| s.facility < g) {
        out.push(Flag::TooHard);
    } else if s.facility > TOO_EASY {
        out.push(Flag::TooEasy);
    }
    if let (Some(table), Some(d)) = (table.filter(|t| t.distractors), &s.distractors) {
        if d.n >= MIN_ANSWERS {
            for (p, part) in table.parts.iter().enumerate() {
                let counts = &d.counts[p];
                let weakest_key = part
                    .options
                    .iter()
                    .zip(counts)
                    .filter(|((_, _, key), _)| *key)
                    .map(|(_, c)| c.strong)
                    .min();
                for (o, ((_, _, key), c)) in part.options.iter().zip(counts).enumerate() {
                    if *key {
                        continue;
                    }
                    if c.chosen == 0 {
                        out.push(Flag::UnpickedDistractor(p as u16, o as u16));
                    }
                    if weakest_key.is_some_and(|k| c.strong > k) {
                        out.push(Flag::DistractorBeatsKey(p as u16, o as u16));
                    }
                }
            }
        }
    }
    out
}

fn test_stats(answers: &[&Answer], totals: &[(f64, f64)]) -> TestStats {
    let mut scores: Vec<f64> = totals
        .iter()
        .filter(|(_, m)| *m > 0.0)
        .map(|(t, m)| 100.0 * t / m)
        .collect();
    let s = scores.len();
    let mut histogram = [0usize; 10];
    for x in &scores {
        histogram[((x / 10.0).floor() as usize).min(9)] += 1;
    }
    let mut out = TestStats {
        attempts: s,
        mean: None,
        median: None,
        sd: None,
        skewness: None,
        kurtosis: None,
        positions: 0,
        alpha: None,
        error_ratio: None,
        standard_error: None,
        histogram,
    };
    if s == 0 {
        return out;
    }
    let m = mean(&scores);
    out.mean = Some(m);
    out.median = median(&mut scores);
    if s < 2 {
        return out;
    }
    let sf = s as f64;
    let power = |k: i32| scores.iter().map(|x| (x - m).powi(k)).sum::<f64>();
    let (p2, p3, p4) = (power(2), power(3), power(4));
    let sd = (p2 / (sf - 1.0)).sqrt();
    out.sd = Some(sd);
    let (m2, m3, m4) = (p2 / sf, p3 / sf, p4 / sf);
    let k2 = sf * m2 / (sf - 1.0);
    if s > 2 && k2 > TINY {
        let k3 = sf * sf * m3 / ((sf - 1.0) * (sf - 2.0));
        out.skewness = Some(k3 / k2.powf(1.5));
        if s > 3 {
            let k4 = sf * sf * ((sf + 1.0) * m4 - 3.0 * (sf - 1.0) * m2 * m2)
                / ((sf - 1.0) * (sf - 2.0) * (sf - 3.0));
            out.kurtosis = Some(k4 / (k2 * k2));
        }
    }
    // Cronbach's α over positions: each answer contributes 100 × points / the attempt's
    // points to its attempt's percentage score, so the slot contributions add up to the score.
    let mut slots: HashMap<u32, Vec<f64>> = HashMap::new();
    for a in answers {
        slots
            .entry(a.position)
            .or_default()
            .push(100.0 * a.points / totals[a.attempt as usize].1);
    }
    let p = slots.len();
    out.positions = p;
    if p > 1 && k2 > TINY {
        let sum_var: f64 = slots
            .values()
            .filter(|v| v.len() >= 2)
            .map(|v| cov(v, v))
            .sum();
        let alpha = 100.0 * p as f64 / (p as f64 - 1.0) * (1.0 - sum_var / k2);
        out.alpha = Some(alpha);
        if alpha <= 100.0 {
            let er = 100.0 * (1.0 - alpha / 100.0).sqrt();
            out.error_ratio = Some(er);
            out.standard_error = Some(er / 100.0 * sd);
        }
    }
    out
}

/// The figures the bank page shows: one row per question with its first flag.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStats {
    pub question: usize,
    pub n: usize,
    /// 0–100.
    pub facility: f64,
    /// Standard deviation of the item's marks as a percentage of its maximum.
    pub sd_percent: f64,
    /// −100–100; `None` when there is no variation to correlate.
    pub discrimination: Option<f64>,
    pub efficiency: Option<f64>,
    pub flag: Option<&'static str>,
}

/// One scored item of one submitted attempt, for [`item_statistics`].
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    pub attempt: usize,
    pub question: usize,
    pub points: f64,
    pub max: f64,
}

/// The bank page's summary: facility, SD, discrimination, efficiency and the first flag that
/// needs a look (the same flags as the full analysis, option flags aside).
pub fn item_statistics(marks: &[Mark]) -> Vec<ItemStats> {
    let answers: Vec<Answer> = marks
        .iter()
        .map(|m| Answer {
            attempt: m.attempt as u32,
            question: m.question as u32,
            position: 0,
            points: m.points,
            max: m.max,
            seconds: None,
            picks: None,
        })
        .collect();
    analyse(&[], &answers)
        .questions
        .into_iter()
        .map(|s| ItemStats {
            question: s.question as usize,
            n: s.n,
            facility: s.facility,
            sd_percent: s.sd.unwrap_or(0.0),
            discrimination: s.discrimination,
            efficiency: s.efficiency,
            flag: s.flags.first().map(|f| match f {
                Flag::TooFewAnswers => "Too few answers to judge",
                Flag::NegativeDiscrimination => {
                    "Negative discrimination: stronger candidates do worse — check the key"
                }
                Flag::WeakDiscrimination => "Weak discrimination",
                Flag::TooHard => "Very hard: check the key and the wording",
                Flag::TooEasy => "Very easy: tells candidates apart little",
                Flag::UnpickedDistractor(..) => "A wrong option nobody chose",
                Flag::DistractorBeatsKey(..) => "Strong candidates prefer a wrong option",
            }),
        })
        .collect()
}

/// Expected share of the points (0–1) of a complete response given uniformly at random among the
/// responses the item's controls allow (Moodle's "random guess score").
pub fn random_guess(body: &ItemBody) -> Option<f64> {
    let inv = |n: usize| (n > 0).then(|| 1.0 / n as f64);
    match body {
        ItemBody::Single { options, .. } => inv(options.len()),
        // A random set of `choose` options holds choose × |key| / n correct ones on average.
        ItemBody::Multiple {
            options,
            choose,
            key,
        } => (!options.is_empty() && *choose > 0).then(|| {
            let hits = *choose as f64 * key.len() as f64 / options.len() as f64;
            hits.min(*choose as f64) / *choose as f64
        }),
        // Each position holds the right action with probability 1/n; all of them at once with
        // probability 1 / (n (n − 1) … (n − m + 1)).
        ItemBody::Order {
            actions,
            key,
            scoring,
        } => {
            let n = actions.len();
            if n == 0 || key.is_empty() || key.len() > n {
                return None;
            }
            match scoring {
                OrderScoring::PerPosition => inv(n),
                OrderScoring::AllOrNothing => {
                    Some((0..key.len()).map(|i| 1.0 / (n - i) as f64).product())
                }
            }
        }
        ItemBody::Dropdown { slots, .. } => {
            let per: Option<Vec<f64>> = slots.iter().map(|s| inv(s.choices.len())).collect();
            per.filter(|p| !p.is_empty()).map(|p| mean(&p))
        }
        ItemBody::Match {
            choices, prompts, ..
        } => (!prompts.is_empty()).then(|| inv(choices.len())).flatten(),
        ItemBody::Grid { statements, .. } => (!statements.is_empty()).then_some(0.5),
        ItemBody::YesNo { .. } => Some(0.5),
    }
}

fn options_of(choices: &[Choice], key: impl Fn(&str) -> bool) -> Vec<(String, String, bool)> {
    choices
        .iter()
        .map(|c| (c.id.clone(), c.text.clone(), key(&c.id)))
        .collect()
}

fn yes_no(key: bool) -> Vec<(String, String, bool)> {
    vec![
        ("Yes".into(), "Yes".into(), key),
        ("No".into(), "No".into(), !key),
    ]
}

/// The options of an item as written, part by part, for counting responses.
pub fn choice_table(body: &ItemBody) -> ChoiceTable {
    let (parts, distractors) = match body {
        ItemBody::Single { options, key } => (
            vec![ChoicePart {
                label: "Options".into(),
                options: options_of(options, |id| id == key),
            }],
            true,
        ),
        ItemBody::Multiple { options, key, .. } => (
            vec![ChoicePart {
                label: "Options".into(),
                options: options_of(options, |id| key.iter().any(|k| k == id)),
            }],
            true,
        ),
        ItemBody::Dropdown { slots, key } => (
            slots
                .iter()
                .enumerate()
                .map(|(i, s)| ChoicePart {
                    label: format!("Blank {}", s.number),
                    options: options_of(&s.choices, |id| key.get(i).is_some_and(|k| k == id)),
                })
                .collect(),
            true,
        ),
        ItemBody::Match {
            prompts,
            choices,
            key,
        } => (
            prompts
                .iter()
                .enumerate()
                .map(|(i, p)| ChoicePart {
                    label: format!("Prompt {}", p.id),
                    options: options_of(choices, |id| key.get(i).is_some_and(|k| k == id)),
                })
                .collect(),
            true,
        ),
        ItemBody::Order { actions, key, .. } => (
            (0..key.len())
                .map(|i| ChoicePart {
                    label: format!("Position {}", i + 1),
                    options: options_of(actions, |id| key[i] == id),
                })
                .collect(),
            false,
        ),
        ItemBody::Grid { statements, key } => (
            statements
                .iter()
                .zip(key)
                .map(|(s, k)| ChoicePart {
                    label: format!("Statement {}", s.id),
                    options: yes_no(*k),
                })
                .collect(),
            false,
        ),
        ItemBody::YesNo { key } => (
            vec![ChoicePart {
                label: "Answer".into(),
                options: yes_no(*key),
            }],
            false,
        ),
    };
    ChoiceTable { parts, distractors }
}

/// The options a response chose, as (part, option) indices of [`choice_table`]'s table for the
/// same body. Ids the body does not know are left out (a response can outlive its version).
pub fn picks(body: &ItemBody, response: &Response) -> Vec<Pick> {
    fn index(choices: &[Choice], id: &str) -> Option<usize> {
        choices.iter().position(|c| c.id == id)
    }
    let yn = |b: bool| if b { 0u16 } else { 1 };
    let mut out = vec![];
    match (body, response) {
        (ItemBody::Single { options, .. }, Response::Single { choice: Some(c) }) => {
            out.extend(index(options, c).map(|o| (0, o as u16)));
        }
        (ItemBody::Multiple { options, .. }, Response::Multiple { choices }) => {
            out.extend(
                choices
                    .iter()
                    .filter_map(|c| index(options, c).map(|o| (0, o as u16))),
            );
        }
        (ItemBody::Dropdown { slots, .. }, Response::Dropdown { slots: given }) => {
            for (p, (slot, g)) in slots.iter().zip(given).enumerate() {
                if let Some(o) = g.as_deref().and_then(|g| index(&slot.choices, g)) {
                    out.push((p as u16, o as u16));
                }
            }
        }
        (ItemBody::Match { choices, .. }, Response::Match { picks: given })
        | (
            ItemBody::Order {
                actions: choices, ..
            },
            Response::Order { positions: given },
        ) => {
            for (p, g) in given.iter().enumerate() {
                if let Some(o) = g.as_deref().and_then(|g| index(choices, g)) {
                    out.push((p as u16, o as u16));
                }
            }
        }
        (ItemBody::Grid { statements, .. }, Response::Grid { answers }) => {
            for (p, a) in answers.iter().enumerate().take(statements.len()) {
                if let Some(a) = a {
                    out.push((p as u16, yn(*a)));
                }
            }
        }
        (ItemBody::YesNo { .. }, Response::YesNo { answer: Some(a) }) => out.push((0, yn(*a))),
        _ => {}
    }
    // An order response may name more positions than the key has; those are not in the table.
    if let ItemBody::Order { key, .. } = body {
        out.retain(|(p, _)| (*p as usize) < key.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item::Slot;
    use crate::domain::scoring;
    use proptest::prelude::*;

    fn answer(attempt: u32, question: u32, points: f64, max: f64) -> Answer {
        Answer {
            attempt,
            question,
            position: question + 1,
            points,
            max,
            seconds: None,
            picks: None,
        }
    }

    /// 40 attempts over 20 one-point questions; ability rises with the attempt number.
    fn cohort(flip: Option<u32>) -> Vec<Answer> {
        let mut out = vec![];
        for a in 0u32..40 {
            for q in 0..20u32 {
                // A deterministic scramble stands in for chance; ability rises with `a`.
                let noise =
                    (a as usize * 7919 + q as usize * 104_729).wrapping_mul(2_654_435_761) % 1000;
                let right = noise < a as usize * 25;
                let right = if Some(q) == flip { !right } else { right };
                out.push(answer(a, q, right as u8 as f64, 1.0));
            }
        }
        out
    }

    #[test]
    fn a_good_item_discriminates_and_a_miskeyed_one_is_flagged() {
        let good = analyse(&[], &cohort(None));
        assert!(
            good.questions
                .iter()
                .all(|s| s.discrimination.unwrap() > 20.0),
            "{good:?}"
        );
        let bad = analyse(&[], &cohort(Some(2)));
        let s = &bad.questions[2];
        assert!(s.discrimination.unwrap() < 0.0);
        assert_eq!(s.flags[0], Flag::NegativeDiscrimination);
        // The bank page's summary says the same.
        let marks: Vec<Mark> = cohort(Some(2))
            .iter()
            .map(|a| Mark {
                attempt: a.attempt as usize,
                question: a.question as usize,
                points: a.points,
                max: a.max,
            })
            .collect();
        let summary = item_statistics(&marks);
        assert!(summary[2]
            .flag
            .unwrap()
            .starts_with("Negative discrimination"));
    }

    #[test]
    fn facility_is_the_share_of_points_and_few_answers_are_not_judged() {
        let a = analyse(&[], &[answer(0, 0, 1.0, 2.0), answer(1, 0, 2.0, 2.0)]);
        let s = &a.questions[0];
        assert!((s.facility - 75.0).abs() < 1e-9);
        assert_eq!(s.flags, vec![Flag::TooFewAnswers]);
    }

    #[test]
    fn one_part_questions_have_part_discrimination_equal_to_the_index() {
        for s in analyse(&[], &cohort(None)).questions {
            let (d, p) = (s.discrimination.unwrap(), s.part_discrimination.unwrap());
            assert!((d - p).abs() < 1e-9, "{d} vs {p}");
        }
    }

    #[test]
    fn test_level_figures_follow_moodle_on_a_hand_worked_example() {
        // Four attempts × three one-point items (a fixed form), scores 3, 2, 1, 0 of 3.
        let rows = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]];
        let answers: Vec<Answer> = rows
            .iter()
            .enumerate()
            .flat_map(|(a, r)| {
                r.iter()
                    .enumerate()
                    .map(move |(q, p)| answer(a as u32, q as u32, *p as f64, 1.0))
            })
            .collect();
        let t = analyse(&[], &answers).test;
        // Scores in %: 100, 66.7, 33.3, 0 → mean 50, median 50, sample SD 43.03.
        assert!((t.mean.unwrap() - 50.0).abs() < 1e-9);
        assert!((t.median.unwrap() - 50.0).abs() < 1e-9);
        let var = (2.0 * 50f64.powi(2) + 2.0 * (50.0f64 / 3.0).powi(2)) / 3.0;
        assert!((t.sd.unwrap() - var.sqrt()).abs() < 1e-9);
        assert!(t.skewness.unwrap().abs() < 1e-9, "symmetric");
        // KR-20 by hand: item variances (in % of the test: 100/3 per point) 3/16·4/3 each for
        // p = 3/4, 1/2, 1/4 → p(1-p)·4/3 = 1/4, 1/3, 1/4 (in points²).
        let item_var_points = 0.25 + 1.0 / 3.0 + 0.25;
        let total_var_points = var / (100.0f64 / 3.0).powi(2);
        let alpha = 100.0 * 3.0 / 2.0 * (1.0 - item_var_points / total_var_points);
        assert!((t.alpha.unwrap() - alpha).abs() < 1e-9);
        assert!((t.error_ratio.unwrap() - 100.0 * (1.0 - alpha / 100.0).sqrt()).abs() < 1e-9);
        assert_eq!(t.histogram, [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
        assert_eq!(t.positions, 3);
    }

    fn body_single(n: usize, key: &str) -> ItemBody {
        ItemBody::Single {
            options: (0..n)
                .map(|i| Choice {
                    id: ((b'A' + i as u8) as char).to_string(),
                    text: format!("option {i}"),
                })
                .collect(),
            key: key.into(),
        }
    }

    #[test]
    fn options_are_counted_as_written_and_distractor_flags_raised() {
        // 30 candidates: the strongest ten pick C (wrong), the others split between A (key)
        // and B; D is never picked.
        let body = body_single(4, "A");
        let info = QuestionInfo {
            random_guess: random_guess(&body),
            choices: Some(choice_table(&body)),
        };
        let mut answers = vec![];
        for a in 0..30u32 {
            let pick = if a >= 20 {
                "C"
            } else if a % 2 == 0 {
                "A"
            } else {
                "B"
            };
            let right = pick == "A";
            answers.push(Answer {
                picks: Some(picks(
                    &body,
                    &Response::Single {
                        choice: Some(pick.into()),
                    },
                )),
                ..answer(a, 0, right as u8 as f64, 1.0)
            });
            // The rest of the attempt: one 30-point question, stronger with `a` (no ties).
            answers.push(answer(a, 1, a as f64, 30.0));
        }
        let questions = vec![info, QuestionInfo::default()];
        let s = &analyse(&questions, &answers).questions[0];
        let d = s.distractors.as_ref().unwrap();
        assert_eq!(d.n, 30);
        assert_eq!(d.strong_n, 10);
        let chosen: Vec<usize> = d.counts[0].iter().map(|c| c.chosen).collect();
        assert_eq!(chosen, vec![10, 10, 10, 0]);
        assert_eq!(d.counts[0][2].strong, 10);
        assert!(s.flags.contains(&Flag::UnpickedDistractor(0, 3)));
        assert!(s.flags.contains(&Flag::DistractorBeatsKey(0, 2)));
        assert!(!s.flags.contains(&Flag::DistractorBeatsKey(0, 1)));
        assert!((s.random_guess.unwrap() - 25.0).abs() < 1e-9);
    }

    fn ids(n: usize) -> Vec<Choice> {
        (0..n)
            .map(|i| Choice {
                id: ((b'A' + i as u8) as char).to_string(),
                text: String::new(),
            })
            .collect()
    }

    /// Every complete response an item's controls allow.
    fn all_responses(body: &ItemBody) -> Vec<Response> {
        fn product(lists: &[Vec<Option<String>>]) -> Vec<Vec<Option<String>>> {
            lists.iter().fold(vec![vec![]], |acc, l| {
                acc.iter()
                    .flat_map(|a| {
                        l.iter().map(move |x| {
                            let mut a = a.clone();
                            a.push(x.clone());
                            a
                        })
                    })
                    .collect()
            })
        }
        let some = |cs: &[Choice]| cs.iter().map(|c| Some(c.id.clone())).collect::<Vec<_>>();
        match body {
            ItemBody::Single { options, .. } => options
                .iter()
                .map(|o| Response::Single {
                    choice: Some(o.id.clone()),
                })
                .collect(),
            ItemBody::Multiple {
                options, choose, ..
            } => (0u32..1 << options.len())
                .filter(|m| m.count_ones() == *choose)
                .map(|m| Response::Multiple {
                    choices: (0..options.len())
                        .filter(|i| m & (1 << i) != 0)
                        .map(|i| options[i].id.clone())
                        .collect(),
                })
                .collect(),
            ItemBody::Order { actions, key, .. } => product(&vec![some(actions); key.len()])
                .into_iter()
                .filter(|p| {
                    let mut v: Vec<_> = p.iter().collect();
                    v.sort();
                    v.dedup();
                    v.len() == p.len()
                })
                .map(|positions| Response::Order { positions })
                .collect(),
            ItemBody::Dropdown { slots, .. } => {
                let lists: Vec<_> = slots.iter().map(|s| some(&s.choices)).collect();
                product(&lists)
                    .into_iter()
                    .map(|slots| Response::Dropdown { slots })
                    .collect()
            }
            ItemBody::Match {
                prompts, choices, ..
            } => product(&vec![some(choices); prompts.len()])
                .into_iter()
                .map(|picks| Response::Match { picks })
                .collect(),
            ItemBody::Grid { statements, .. } => (0u32..1 << statements.len())
                .map(|m| Response::Grid {
                    answers: (0..statements.len())
                        .map(|i| Some(m & (1 << i) != 0))
                        .collect(),
                })
                .collect(),
            ItemBody::YesNo { .. } => [true, false]
                .map(|a| Response::YesNo { answer: Some(a) })
                .to_vec(),
        }
    }

    #[test]
    fn random_guess_equals_the_mean_score_of_every_possible_response() {
        let bodies = vec![
            body_single(4, "B"),
            ItemBody::Multiple {
                options: ids(5),
                choose: 2,
                key: vec!["A".into(), "D".into()],
            },
            ItemBody::Order {
                actions: ids(5),
                key: vec!["C".into(), "A".into(), "E".into()],
                scoring: OrderScoring::AllOrNothing,
            },
            ItemBody::Order {
                actions: ids(4),
                key: vec!["C".into(), "A".into(), "B".into()],
                scoring: OrderScoring::PerPosition,
            },
            ItemBody::Dropdown {
                slots: vec![
                    Slot {
                        number: 1,
                        choices: ids(3),
                    },
                    Slot {
                        number: 2,
                        choices: ids(4),
                    },
                ],
                key: vec!["B".into(), "D".into()],
            },
            ItemBody::Match {
                prompts: ids(3),
                choices: ids(4),
                key: vec!["A".into(), "A".into(), "C".into()],
            },
            ItemBody::Grid {
                statements: ids(3),
                key: vec![true, false, true],
            },
            ItemBody::YesNo { key: false },
        ];
        for body in bodies {
            let all = all_responses(&body);
            let max = scoring::max_points(&body) as f64;
            let exact = all
                .iter()
                .map(|r| scoring::score(&body, r).points as f64 / max)
                .sum::<f64>()
                / all.len() as f64;
            let g = random_guess(&body).unwrap();
            assert!((g - exact).abs() < 1e-12, "{body:?}: {g} vs {exact}");
        }
    }

    #[test]
    fn picks_follow_the_written_order_whatever_was_shown() {
        let body = ItemBody::Multiple {
            options: ids(4),
            choose: 2,
            key: vec!["A".into(), "C".into()],
        };
        let r = Response::Multiple {
            choices: vec!["D".into(), "A".into(), "Z".into()],
        };
        assert_eq!(picks(&body, &r), vec![(0, 3), (0, 0)]);
        let t = choice_table(&body);
        assert_eq!(
            t.parts[0].options.iter().map(|o| o.2).collect::<Vec<_>>(),
            vec![true, false, true, false]
        );
    }

    #[test]
    fn time_on_item_is_the_median_of_recorded_times() {
        let answers: Vec<Answer> = [Some(30.0), None, Some(10.0), Some(50.0), Some(20.0)]
            .iter()
            .enumerate()
            .map(|(a, s)| Answer {
                seconds: *s,
                ..answer(a as u32, 0, 1.0, 1.0)
            })
            .collect();
        let s = &analyse(&[], &answers).questions[0];
        assert_eq!(s.median_seconds, Some(25.0));
    }

    proptest! {
        #[test]
        fn figures_stay_in_range(marks in prop::collection::vec((0u32..30, 0u32..8, 0u8..=3, 1u8..=3), 1..300)) {
            let answers: Vec<Answer> = marks
                .into_iter()
                .map(|(a, q, p, m)| answer(a, q, p.min(m) as f64, m as f64))
                .collect();
            let analysis = analyse(&[], &answers);
            for s in &analysis.questions {
                prop_assert!((0.0..=100.0).contains(&s.facility));
                if let Some(sd) = s.sd { prop_assert!((0.0..=100.0 + 1e-9).contains(&sd)); }
                if let Some(d) = s.discrimination {
                    prop_assert!((-100.0 - 1e-6..=100.0 + 1e-6).contains(&d));
                    // Per-part discrimination never exceeds the index in size.
                    if let Some(p) = s.part_discrimination { prop_assert!(p.abs() <= d.abs() + 1e-6); }
                }
                if let Some(e) = s.efficiency { prop_assert!(e <= 100.0 + 1e-6); }
                prop_assert!(s.intended_weight > 0.0 && s.intended_weight <= 100.0 + 1e-9);
            }
            let t = &analysis.test;
            prop_assert_eq!(t.histogram.iter().sum::<usize>(), t.attempts);
            // Incomplete forms can push α past 100 (never a fixed form, below); then the error
            // ratio is not defined.
            if t.alpha.is_some_and(|a| a > 100.0) { prop_assert!(t.error_ratio.is_none()); }
        }

        /// On a fixed form (every attempt shows the same questions at the same positions) α is
        /// Cronbach's formula over the items in points, and effective weights add up to 100.
        #[test]
        fn a_fixed_form_gives_the_textbook_alpha(rows in prop::collection::vec(prop::collection::vec(0u8..=2, 4), 5..40)) {
            let answers: Vec<Answer> = rows.iter().enumerate().flat_map(|(a, r)| {
                r.iter().enumerate().map(move |(q, p)| answer(a as u32, q as u32, *p as f64, 2.0))
            }).collect();
            let t = analyse(&[], &answers);
            let totals: Vec<f64> = rows.iter().map(|r| r.iter().map(|p| *p as f64).sum()).collect();
            let vt = cov(&totals, &totals);
            prop_assume!(vt > 1e-9);
            let items: f64 = (0..4).map(|q| {
                let v: Vec<f64> = rows.iter().map(|r| r[q] as f64).collect();
                cov(&v, &v)
            }).sum();
            let alpha = 100.0 * 4.0 / 3.0 * (1.0 - items / vt);
            prop_assert!((t.test.alpha.unwrap() - alpha).abs() < 1e-9);
            let weights: f64 = t.questions.iter().filter_map(|s| s.effective_weight).sum();
            prop_assert!(weights == 0.0 || (weights - 100.0).abs() < 1e-9);
            for s in &t.questions { prop_assert!((s.intended_weight - 25.0).abs() < 1e-9); }
        }
    }
}
