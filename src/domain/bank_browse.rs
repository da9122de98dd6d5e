//! The bank browser's rules: which questions match a search and filters, in which order, and
//! which page of them to show. Pure, so the page and its benchmark share one definition.

use crate::types::QuestionStatus;
use std::cmp::Ordering;

/// One question as the browser lists it, with its figures from item analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub ext_id: String,
    pub objective_code: String,
    pub domain_code: String,
    pub kind: String,
    pub status: QuestionStatus,
    pub versions: i64,
    /// The stem as plain text (searchable, and a short excerpt is shown).
    pub stem: String,
    pub answers: usize,
    pub facility: Option<f64>,
    pub discrimination: Option<f64>,
    pub flag: Option<&'static str>,
}

/// Columns the list may be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Position,
    Id,
    Objective,
    Kind,
    Status,
    Versions,
    Answers,
    Facility,
    Discrimination,
    Flag,
}

impl SortKey {
    pub const ALL: [(SortKey, &'static str, &'static str); 10] = [
        (SortKey::Position, "position", "Bank order"),
        (SortKey::Id, "id", "Id"),
        (SortKey::Objective, "objective", "Objective"),
        (SortKey::Kind, "kind", "Kind"),
        (SortKey::Status, "status", "Status"),
        (SortKey::Versions, "versions", "Versions"),
        (SortKey::Answers, "answers", "Answers"),
        (SortKey::Facility, "facility", "Facility"),
        (SortKey::Discrimination, "discrimination", "Discrimination"),
        (SortKey::Flag, "flag", "Note"),
    ];

    pub fn parse(s: &str) -> Option<SortKey> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| *n == s)
            .map(|(k, _, _)| *k)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("position", |x| x.1)
    }
}

/// Which flagged questions to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagFilter {
    Any,
    /// A flag other than "too few answers": the question needs a look.
    NeedsLook,
    NoFlag,
    /// Exactly this flag.
    Is(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Words that must all appear in the id or the stem (case-insensitive).
    pub text: String,
    pub domain: Option<String>,
    pub objective: Option<String>,
    pub kind: Option<String>,
    pub status: Option<QuestionStatus>,
    pub flag: FlagFilter,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            text: String::new(),
            domain: None,
            objective: None,
            kind: None,
            status: None,
            flag: FlagFilter::Any,
            sort: SortKey::Position,
            descending: false,
            page: 1,
            per_page: 50,
        }
    }
}

/// Whether a flag means the question needs a look (not merely too few answers yet).
pub fn needs_look(flag: Option<&str>) -> bool {
    flag.is_some_and(|f| !f.starts_with("Too few"))
}

fn matches(q: &Query, words: &[String], r: &Row) -> bool {
    let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    if !(eq(&q.domain, &r.domain_code)
        && eq(&q.objective, &r.objective_code)
        && eq(&q.kind, &r.kind))
    {
        return false;
    }
    if q.status.is_some_and(|s| s != r.status) {
        return false;
    }
    let flag_ok = match &q.flag {
        FlagFilter::Any => true,
        FlagFilter::NeedsLook => needs_look(r.flag),
        FlagFilter::NoFlag => r.flag.is_none(),
        FlagFilter::Is(f) => r.flag == Some(f.as_str()),
    };
    if !flag_ok {
        return false;
    }
    if words.is_empty() {
        return true;
    }
    let id = r.ext_id.to_lowercase();
    let stem = r.stem.to_lowercase();
    words.iter().all(|w| id.contains(w) || stem.contains(w))
}

/// Missing figures sort last in either direction.
fn by_figure(a: Option<f64>, b: Option<f64>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            let o = x.total_cmp(&y);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn status_rank(s: QuestionStatus) -> usize {
    QuestionStatus::ALL
        .iter()
        .position(|x| *x == s)
        .unwrap_or(0)
}

/// One page of the rows (given in bank order) that match, sorted; and how many matched.
pub fn page<'a>(rows: &'a [Row], q: &Query) -> (Vec<&'a Row>, usize) {
    let words: Vec<String> = q.text.split_whitespace().map(str::to_lowercase).collect();
    let mut hits: Vec<(usize, &Row)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| matches(q, &words, r))
        .collect();
    let d = q.descending;
    let dir = |o: Ordering| if d { o.reverse() } else { o };
    hits.sort_by(|(ia, a), (ib, b)| {
        let primary = match q.sort {
            SortKey::Position => dir(ia.cmp(ib)),
            SortKey::Id => dir(a.ext_id.cmp(&b.ext_id)),
            SortKey::Objective => dir(a.objective_code.cmp(&b.objective_code)),
            SortKey::Kind => dir(a.kind.cmp(&b.kind)),
            SortKey::Status => dir(status_rank(a.status).cmp(&status_rank(b.status))),
            SortKey::Versions => dir(a.versions.cmp(&b.versions)),
            SortKey::Answers => dir(a.answers.cmp(&b.answers)),
            SortKey::Facility => by_figure(a.facility, b.facility, d),
            SortKey::Discrimination => by_figure(a.discrimination, b.discrimination, d),
            SortKey::Flag => match (a.flag, b.flag) {
                (Some(x), Some(y)) => dir(x.cmp(y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        // Ties keep bank order, so pages are stable.
        primary.then(ia.cmp(ib))
    });
    let total = hits.len();
    let per = q.per_page.max(1);
    let start = (q.page.max(1) - 1).saturating_mul(per);
    let shown = hits
        .into_iter()
        .skip(start)
        .take(per)
        .map(|(_, r)| r)
        .collect();
    (shown, total)
}

/// The number of pages for `total` rows (at least one, so an empty result has a page 1).
pub fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(i: usize, facility: Option<f64>) -> Row {
        Row {
            ext_id: format!("q-{i:03}"),
            objective_code: format!("d{}.o{}", i % 3, i % 5),
            domain_code: format!("d{}", i % 3),
            kind: if i % 2 == 0 { "single" } else { "dropdown" }.into(),
            status: QuestionStatus::ALL[i % 4],
            versions: (i % 4) as i64 + 1,
            stem: format!("Stem number {i} about Azure ML"),
            answers: i * 3,
            facility,
            discrimination: facility.map(|f| 100.0 - f),
            flag: if i % 7 == 0 {
                Some("Weak discrimination")
            } else {
                None
            },
        }
    }

    #[test]
    fn search_matches_every_word_in_the_id_or_the_stem() {
        let rows: Vec<Row> = (0..30).map(|i| row(i, None)).collect();
        let q = Query {
            text: "AZURE number 12".into(),
            ..Query::default()
        };
        let (hits, total) = page(&rows, &q);
        assert_eq!(total, 1);
        assert_eq!(hits[0].ext_id, "q-012");
        let q = Query {
            text: "q-02".into(),
            ..Query::default()
        };
        assert_eq!(page(&rows, &q).1, 10);
    }

    #[test]
    fn missing_figures_sort_last_both_ways() {
        let rows = vec![row(0, None), row(1, Some(30.0)), row(2, Some(80.0))];
        for descending in [false, true] {
            let q = Query {
                sort: SortKey::Facility,
                descending,
                ..Query::default()
            };
            let ids: Vec<&str> = page(&rows, &q)
                .0
                .iter()
                .map(|r| r.ext_id.as_str())
                .collect();
            let want = if descending {
                ["q-002", "q-001", "q-000"]
            } else {
                ["q-001", "q-002", "q-000"]
            };
            assert_eq!(ids, want);
        }
    }

    proptest! {
        /// Walking the pages shows every matching row exactly once, in sorted order.
        #[test]
        fn pages_cover_the_matches_once(n in 0usize..120, per in 1usize..40, key in 0usize..10,
                                        descending: bool, status in proptest::option::of(0usize..4)) {
            let rows: Vec<Row> = (0..n).map(|i| row(i, (i % 5 != 0).then(|| (i * 37 % 100) as f64))).collect();
            let mut q = Query { sort: SortKey::ALL[key].0, descending, per_page: per,
                                status: status.map(|s| QuestionStatus::ALL[s]), ..Query::default() };
            let total = page(&rows, &q).1;
            let mut seen = Vec::new();
            for p in 1..=page_count(total, per) {
                q.page = p;
                seen.extend(page(&rows, &q).0.into_iter().map(|r| r.ext_id.clone()));
            }
            q.page = 1;
            q.per_page = usize::MAX;
            let all: Vec<String> = page(&rows, &q).0.into_iter().map(|r| r.ext_id.clone()).collect();
            prop_assert_eq!(&seen, &all);
            let mut sorted = seen.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), total);
        }
    }
}
