//! An independent simulated world of candidates and questions, for measuring the readiness
//! model, the calibration and the adaptive check against a truth the product never sees.
//!
//! It is deliberately *not* the estimation model run backwards:
//!
//! - every **part** of a question is its own hidden 2PL item (discrimination and difficulty),
//!   and the parts of one question share a random effect per answer (a testlet effect), so a
//!   multi-part question is neither a GPCM nor a binomial;
//! - candidates have a general ability, **per-area offsets**, and either no learning (stable) or
//!   steady learning of 0.01–0.035 logit a day (improving), with no noise around the line;
//! - a question **seen before** is easier by a hidden retest bonus; 2 % of answers are **blank**;
//! - histories are 2–8 full mocks spread over 10–60 days, with practice sets in between whose
//!   answers are often checked on the spot;
//! - the truth is a **fresh 50-question form today** scored on the product's 1–1000 scale, and
//!   each candidate's true chance of passing it (Monte Carlo over fresh forms).
//!
//! `docs/readiness.md` lists every setting.
// Numeric code indexes several parallel arrays and matrices by the same counter.
#![allow(clippy::needless_range_loop)]

use super::blueprint::Blueprint;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The world's knobs (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub ability_mean: f64,
    pub ability_sd: f64,
    pub area_sd: f64,
    pub improving_share: f64,
    pub rate_range: (f64, f64),
    pub retest_bonus: f64,
    pub blank_rate: f64,
    pub mocks: (usize, usize),
    pub span_days: (f64, f64),
    pub practice_sets: (usize, usize),
    pub practice_size: usize,
    /// Share of practice answers checked on the spot.
    pub checked_share: f64,
    pub log_a: (f64, f64),
    pub difficulty: (f64, f64),
    pub part_jitter: f64,
    pub testlet_sd: (f64, f64),
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ability_mean: -0.3,
            ability_sd: 0.8,
            area_sd: 0.3,
            improving_share: 0.5,
            rate_range: (0.01, 0.035),
            retest_bonus: 0.6,
            blank_rate: 0.02,
            mocks: (2, 8),
            span_days: (10.0, 60.0),
            practice_sets: (0, 4),
            practice_size: 10,
            checked_share: 0.7,
            log_a: (0.1, 0.35),
            difficulty: (-0.7, 0.9),
            part_jitter: 0.4,
            testlet_sd: (0.4, 1.0),
        }
    }
}

/// A question: its area and one hidden (a, b) per part, and how strongly its parts go together.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub domain: usize,
    pub parts: Vec<(f64, f64)>,
    pub testlet_sd: f64,
}

impl Question {
    pub fn points(&self) -> u32 {
        self.parts.len() as u32
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub ability: f64,
    pub offsets: Vec<f64>,
    /// Logits per day.
    pub rate: f64,
    pub improving: bool,
}

impl Person {
    pub fn theta(&self, area: usize, day: f64) -> f64 {
        self.ability + self.offsets[area] + self.rate * day
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mock,
    Practice,
}

/// One answer in a history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Given {
    pub question: usize,
    pub points: u32,
    pub seen_before: bool,
    pub checked: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimSitting {
    pub kind: Kind,
    pub day: f64,
    pub answers: Vec<Given>,
    /// Mocks: the scaled score and whether it passed.
    pub scaled: u32,
    pub passed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub sittings: Vec<SimSitting>,
    /// The day of the real exam: a fresh form.
    pub today: f64,
    pub seen: Vec<bool>,
}

pub struct World {
    pub bp: Blueprint,
    pub questions: Vec<Question>,
    /// Questions per area on a form.
    pub counts: Vec<u32>,
    pub settings: Settings,
}

/// The world's random draws.
pub struct Dice {
    rng: ChaCha8Rng,
}

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
    pub fn normal(&mut self) -> f64 {
        let u: f64 = 1.0 - self.rng.gen::<f64>();
        let v: f64 = self.rng.gen();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.rng.gen::<f64>()
    }
    pub fn int(&mut self, lo: usize, hi: usize) -> usize {
        self.rng.gen_range(lo..=hi)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen::<f64>() < p
    }
    pub fn seed(&mut self) -> u64 {
        self.rng.gen()
    }
}

impl World {
    /// A world over a bank's shape: per question, its area (index) and points.
    pub fn new(
        bp: Blueprint,
        shape: &[(usize, u32)],
        counts: Vec<u32>,
        settings: Settings,
        dice: &mut Dice,
    ) -> World {
        let s = &settings;
        let questions = shape
            .iter()
            .map(|&(domain, points)| {
                let b = s.difficulty.0 + s.difficulty.1 * dice.normal();
                Question {
                    domain,
                    parts: (0..points.max(1))
                        .map(|_| {
                            let a = (s.log_a.0 + s.log_a.1 * dice.normal()).exp();
                            (a, b + s.part_jitter * dice.normal())
                        })
                        .collect(),
                    testlet_sd: if points > 1 {
                        dice.uniform(s.testlet_sd.0, s.testlet_sd.1)
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        World {
            bp,
            questions,
            counts,
            settings,
        }
    }

    pub fn person(&self, dice: &mut Dice) -> Person {
        let s = &self.settings;
        let improving = dice.chance(s.improving_share);
        Person {
            ability: s.ability_mean + s.ability_sd * dice.normal(),
            offsets: (0..self.counts.len())
                .map(|_| s.area_sd * dice.normal())
                .collect(),
            rate: if improving {
                dice.uniform(s.rate_range.0, s.rate_range.1)
            } else {
                0.0
            },
            improving,
        }
    }

    /// Points on one question.
    pub fn answer(&self, who: &Person, q: usize, day: f64, seen: bool, dice: &mut Dice) -> u32 {
        if dice.chance(self.settings.blank_rate) {
            return 0;
        }
        let question = &self.questions[q];
        let shared = question.testlet_sd * dice.normal();
        let bonus = if seen {
            self.settings.retest_bonus
        } else {
            0.0
        };
        let theta = who.theta(question.domain, day) + shared + bonus;
        question
            .parts
            .iter()
            .filter(|(a, b)| dice.chance(1.0 / (1.0 + (-a * (theta - b)).exp())))
            .count() as u32
    }

    /// A form: the blueprint's questions per area, unseen ones first.
    pub fn form(&self, seen: &[bool], dice: &mut Dice) -> Vec<usize> {
        let mut out = Vec::new();
        for (area, &n) in self.counts.iter().enumerate() {
            let mut pool: Vec<(bool, u64, usize)> = (0..self.questions.len())
                .filter(|&i| self.questions[i].domain == area)
                .map(|i| (seen[i], dice.seed(), i))
                .collect();
            pool.sort();
            out.extend(pool.iter().take(n as usize).map(|p| p.2));
        }
        out
    }

    fn scaled(&self, got: u32, max: u32) -> u32 {
        self.bp.scaled_score(if max > 0 {
            got as f64 / max as f64
        } else {
            0.0
        })
    }

    /// Sits a form; returns the answers, the scaled score and whether it passed.
    pub fn sit(
        &self,
        who: &Person,
        form: &[usize],
        day: f64,
        seen: &mut [bool],
        dice: &mut Dice,
    ) -> (Vec<Given>, u32, bool) {
        let (mut got, mut max) = (0, 0);
        let answers: Vec<Given> = form
            .iter()
            .map(|&q| {
                let was = seen[q];
                let points = self.answer(who, q, day, was, dice);
                seen[q] = true;
                got += points;
                max += self.questions[q].points();
                Given {
                    question: q,
                    points,
                    seen_before: was,
                    checked: false,
                }
            })
            .collect();
        let scaled = self.scaled(got, max);
        (answers, scaled, self.bp.passes(scaled))
    }

    /// A candidate's history up to the day of the real exam.
    pub fn history(&self, who: &Person, dice: &mut Dice) -> History {
        let s = &self.settings;
        let span = dice.uniform(s.span_days.0, s.span_days.1);
        let mocks = dice.int(s.mocks.0, s.mocks.1);
        let practice = dice.int(s.practice_sets.0, s.practice_sets.1);
        let mut plan: Vec<(f64, Kind)> = Vec::new();
        for k in 0..mocks {
            // First and last mocks at the ends of the span, the rest in between.
            let day = match k {
                0 => 0.0,
                k if k == mocks - 1 => span,
                _ => dice.uniform(0.0, span),
            };
            plan.push((day, Kind::Mock));
        }
        for _ in 0..practice {
            plan.push((dice.uniform(0.0, span), Kind::Practice));
        }
        plan.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut seen = vec![false; self.questions.len()];
        let mut sittings = Vec::new();
        for (day, kind) in plan {
            match kind {
                Kind::Mock => {
                    let form = self.form(&seen, dice);
                    let (answers, scaled, passed) = self.sit(who, &form, day, &mut seen, dice);
                    sittings.push(SimSitting {
                        kind,
                        day,
                        answers,
                        scaled,
                        passed,
                    });
                }
                Kind::Practice => {
                    let mut pool: Vec<(bool, u64, usize)> = (0..self.questions.len())
                        .map(|i| (seen[i], dice.seed(), i))
                        .collect();
                    pool.sort();
                    let answers: Vec<Given> = pool
                        .iter()
                        .take(s.practice_size)
                        .map(|&(was, _, q)| {
                            let points = self.answer(who, q, day, was, dice);
                            seen[q] = true;
                            Given {
                                question: q,
                                points,
                                seen_before: was,
                                checked: dice.chance(s.checked_share),
                            }
                        })
                        .collect();
                    sittings.push(SimSitting {
                        kind,
                        day,
                        answers,
                        scaled: 0,
                        passed: false,
                    });
                }
            }
        }
        History {
            sittings,
            today: span + dice.uniform(0.5, 3.0),
            seen,
        }
    }

    /// Whether one fresh form (unseen questions first) on `day` is passed.
    pub fn exam(&self, who: &Person, seen: &[bool], day: f64, dice: &mut Dice) -> bool {
        let mut seen = seen.to_vec();
        let form = self.form(&seen, dice);
        self.sit(who, &form, day, &mut seen, dice).2
    }

    /// The true chance of passing a fresh form of questions the candidate has not seen.
    pub fn true_chance(&self, who: &Person, day: f64, forms: usize, dice: &mut Dice) -> f64 {
        let unseen = vec![false; self.questions.len()];
        let passes = (0..forms)
            .filter(|_| self.exam(who, &unseen, day, dice))
            .count();
        passes as f64 / forms.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        let text = include_str!("../../tests/fixtures/dp100-items.json");
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let bp: Blueprint = serde_json::from_value(v["blueprint"].clone()).unwrap();
        let shape: Vec<(usize, u32)> = (0..300)
            .map(|i| (i % 4, 1 + (i % 5 == 0) as u32 * 2))
            .collect();
        World::new(
            bp,
            &shape,
            vec![11, 11, 14, 14],
            Settings::default(),
            &mut Dice::new(1),
        )
    }

    #[test]
    fn histories_follow_the_settings() {
        let w = world();
        let mut dice = Dice::new(2);
        for _ in 0..50 {
            let who = w.person(&mut dice);
            let h = w.history(&who, &mut dice);
            let mocks = h.sittings.iter().filter(|s| s.kind == Kind::Mock).count();
            assert!((2..=8).contains(&mocks));
            assert!(h.sittings.windows(2).all(|p| p[0].day <= p[1].day));
            assert!(h.today > h.sittings.last().unwrap().day);
            for s in h.sittings.iter().filter(|s| s.kind == Kind::Mock) {
                assert_eq!(s.answers.len(), 50);
            }
        }
    }

    #[test]
    fn learners_pass_more_later_and_retests_are_easier() {
        let w = world();
        let mut dice = Dice::new(3);
        let who = Person {
            ability: 0.0,
            offsets: vec![0.0; 4],
            rate: 0.03,
            improving: true,
        };
        let early = w.true_chance(&who, 0.0, 200, &mut dice);
        let late = w.true_chance(&who, 40.0, 200, &mut dice);
        assert!(late > early + 0.3, "{early} → {late}");
        let q = 0;
        let fresh: u32 = (0..2000)
            .map(|_| w.answer(&who, q, 0.0, false, &mut dice))
            .sum();
        let again: u32 = (0..2000)
            .map(|_| w.answer(&who, q, 0.0, true, &mut dice))
            .sum();
        assert!(again > fresh);
    }
}
