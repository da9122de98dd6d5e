//! Latencies per step and errors by kind, shared by every virtual candidate.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Start,
    Resume,
    Item,
    Save,
    Next,
    Review,
    Submit,
    Result,
    SignIn,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::Start,
        Step::Resume,
        Step::Item,
        Step::Save,
        Step::Next,
        Step::Review,
        Step::Submit,
        Step::Result,
        Step::SignIn,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Step::Start => "start (POST /exams/…/attempts)",
            Step::Resume => "resume (GET /attempts/…)",
            Step::Item => "item page (GET)",
            Step::Save => "save (JSON autosave)",
            Step::Next => "next (form POST, nav)",
            Step::Review => "review page (GET)",
            Step::Submit => "submit (POST)",
            Step::Result => "score report (GET)",
            Step::SignIn => "sign-in (argon2)",
        }
    }
}

#[derive(Default)]
struct Inner {
    /// Microseconds per step, every request.
    all: BTreeMap<Step, Vec<u32>>,
    /// The same since the last progress line.
    window: BTreeMap<Step, Vec<u32>>,
    errors: BTreeMap<String, u64>,
    window_errors: u64,
    /// Completed starts per whole second since the run began.
    starts_per_second: BTreeMap<u64, u32>,
}

#[derive(Default)]
pub struct Recorder(Mutex<Inner>);

pub struct Percentiles {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

pub fn percentiles(samples: &mut [u32]) -> Percentiles {
    samples.sort_unstable();
    let at = |p: f64| {
        if samples.is_empty() {
            return 0.0;
        }
        let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
        samples[i.min(samples.len() - 1)] as f64 / 1000.0
    };
    Percentiles {
        n: samples.len(),
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: samples.last().map_or(0.0, |m| *m as f64 / 1000.0),
    }
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn ok(&self, step: Step, took: Duration, second: u64) {
        let us = took.as_micros().min(u32::MAX as u128) as u32;
        let mut g = self.lock();
        g.all.entry(step).or_default().push(us);
        g.window.entry(step).or_default().push(us);
        if step == Step::Start {
            *g.starts_per_second.entry(second).or_default() += 1;
        }
    }

    pub fn error(&self, step: Step, kind: &str) {
        let mut g = self.lock();
        *g.errors
            .entry(format!("{}: {kind}", step.label()))
            .or_default() += 1;
        g.window_errors += 1;
    }

    /// Requests and errors since the last call, and the p99 (ms) of item pages and saves.
    pub fn take_window(&self) -> (usize, u64, f64, f64) {
        let mut g = self.lock();
        let w = std::mem::take(&mut g.window);
        let errors = std::mem::take(&mut g.window_errors);
        let n = w.values().map(Vec::len).sum();
        let p99 = |s: Step| {
            let mut v = w.get(&s).cloned().unwrap_or_default();
            percentiles(&mut v).p99
        };
        (n, errors, p99(Step::Item), p99(Step::Save))
    }

    pub fn totals(&self) -> (usize, u64) {
        let g = self.lock();
        (g.all.values().map(Vec::len).sum(), g.errors.values().sum())
    }

    pub fn report(&self) -> (Vec<(Step, Percentiles)>, BTreeMap<String, u64>, u32) {
        let mut g = self.lock();
        let peak_starts = g.starts_per_second.values().copied().max().unwrap_or(0);
        let steps = Step::ALL
            .iter()
            .filter_map(|s| g.all.get_mut(s).map(|v| (*s, percentiles(v))))
            .collect();
        (steps, g.errors.clone(), peak_starts)
    }
}
