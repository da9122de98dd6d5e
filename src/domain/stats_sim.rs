//! The simulation behind the flags' choice of figure (docs/item-analysis.md): questions whose
//! parts all discriminate equally, made of one to five parts, answered by simulated candidates.
//! The discrimination index grows with the number of parts (a sum of parts is more reliable
//! than one part), discriminative efficiency grows too, and per-part discrimination stays level,
//! so "weak discrimination" is judged on per-part discrimination. Pure and seeded: the same seed
//! gives the same figures.

use super::stats::{analyse, Answer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Mean figures of the questions with a given number of parts.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasRow {
    /// Parts per question (5 stands for "five", the largest simulated).
    pub parts: usize,
    pub questions: usize,
    pub discrimination: f64,
    pub efficiency: f64,
    pub part_discrimination: f64,
    /// Share of these questions (%) whose discrimination index is below the weak threshold.
    pub weak_by_index: f64,
    /// Share of these questions (%) whose per-part discrimination is below it.
    pub weak_by_part: f64,
}

/// How many questions of each size one simulated form holds: (parts, questions).
pub const FORM: [(usize, usize); 5] = [(1, 20), (2, 5), (3, 5), (4, 5), (5, 5)];

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller; 1 − u keeps the logarithm finite.
    let (u, v): (f64, f64) = (rng.gen(), rng.gen());
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// `replications` forms, each answered by `candidates` candidates of ability N(0, 1); every part
/// is a two-parameter logistic item with discrimination `a` and difficulty N(0, 1).
pub fn part_bias(seed: u64, replications: usize, candidates: usize, a: f64) -> Vec<BiasRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sizes: Vec<usize> = FORM
        .iter()
        .flat_map(|(parts, n)| std::iter::repeat_n(*parts, *n))
        .collect();
    // Per size: (count, Σ index, Σ efficiency, Σ per-part, weak by index, weak by part).
    let mut sums = vec![(0usize, 0.0, 0.0, 0.0, 0usize, 0usize); 6];
    for _ in 0..replications {
        let difficulties: Vec<Vec<f64>> = sizes
            .iter()
            .map(|k| (0..*k).map(|_| normal(&mut rng)).collect())
            .collect();
        let mut answers = Vec::with_capacity(candidates * sizes.len());
        for c in 0..candidates {
            let theta = normal(&mut rng);
            for (q, parts) in difficulties.iter().enumerate() {
                let points = parts
                    .iter()
                    .filter(|b| rng.gen::<f64>() < 1.0 / (1.0 + (-a * (theta - *b)).exp()))
                    .count();
                answers.push(Answer {
                    attempt: c as u32,
                    question: q as u32,
                    position: q as u32 + 1,
                    points: points as f64,
                    max: parts.len() as f64,
                    seconds: None,
                    picks: None,
                });
            }
        }
        for s in analyse(&[], &answers).questions {
            let (Some(d), Some(e), Some(p)) =
                (s.discrimination, s.efficiency, s.part_discrimination)
            else {
                continue;
            };
            let row = &mut sums[sizes[s.question as usize]];
            row.0 += 1;
            row.1 += d;
            row.2 += e;
            row.3 += p;
            row.4 += (d < super::stats::WEAK_DISCRIMINATION) as usize;
            row.5 += (p < super::stats::WEAK_DISCRIMINATION) as usize;
        }
    }
    sums.iter()
        .enumerate()
        .filter(|(_, s)| s.0 > 0)
        .map(|(parts, s)| {
            let n = s.0 as f64;
            BiasRow {
                parts,
                questions: s.0,
                discrimination: s.1 / n,
                efficiency: s.2 / n,
                part_discrimination: s.3 / n,
                weak_by_index: 100.0 * s.4 as f64 / n,
                weak_by_part: 100.0 * s.5 as f64 / n,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_part_discrimination_is_level_where_the_index_grows_with_parts() {
        let rows = part_bias(12, 3, 800, 1.0);
        let one = &rows[0];
        let five = rows.last().unwrap();
        assert_eq!((one.parts, five.parts), (1, 5));
        // The index and efficiency favour many-part questions by a wide margin…
        assert!(five.discrimination - one.discrimination > 15.0, "{rows:?}");
        assert!(five.efficiency - one.efficiency > 10.0, "{rows:?}");
        // …per-part discrimination does not.
        for r in &rows {
            assert!(
                (r.part_discrimination - one.part_discrimination).abs() < 5.0,
                "{rows:?}"
            );
        }
    }
}

#[cfg(test)]
mod table {
    use super::*;

    /// The table of docs/item-analysis.md (also printed by `cargo bench --bench analysis`):
    /// `cargo test --lib stats_sim::table -- --ignored --nocapture`.
    #[test]
    #[ignore = "prints the documentation's table; takes a few seconds"]
    fn print_the_documented_table() {
        for r in part_bias(2026, 20, 1_500, 1.0) {
            println!(
                "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} % | {:.1} % |",
                r.parts,
                r.questions,
                r.discrimination,
                r.efficiency,
                r.part_discrimination,
                r.weak_by_index,
                r.weak_by_part
            );
        }
    }
}
