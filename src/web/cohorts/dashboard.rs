//! The cohort dashboard: predicted pass rate, readiness bands and the target date, the member ×
//! skill-area heat map (sortable, paged), the weakest objectives with a way to assign practice
//! on them, activity this week against last, and the assignments. Printable as it is.

use super::super::{render, CurrentUser, PageCtx};
use super::{date, pct, relative_days, taught};
use crate::db::cohorts::CohortRow;
use crate::db::exams::ExamRow;
use crate::domain::blueprint::Blueprint;
use crate::domain::cohort::{self, Band, MemberMastery, SortFacts, SortKey, Week};
use crate::engine;
use crate::engine::cohorts::{Dashboard, MemberView};
use crate::error::Result;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;

/// Members per page of the heat map and activity tables.
pub const PAGE_SIZE: usize = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ViewQuery {
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    page: String,
}

pub struct HeatCell {
    pub text: String,
    pub range: String,
    pub level: u8,
    pub words: &'static str,
    pub uncertain: bool,
}

pub struct MemberLine {
    pub name: String,
    pub href: String,
    pub chance: String,
    pub chance_range: String,
    pub band: Band,
    pub answers: u32,
    pub cells: Vec<HeatCell>,
    pub last_active: String,
    pub mocks_total: u32,
    pub this_week: Week,
    pub last_week: Week,
    pub practice_change: String,
    pub minutes_change: String,
}

pub struct SortHeader {
    pub label: String,
    pub href: String,
    pub aria_sort: &'static str,
}

pub struct BandLine {
    pub band: Band,
    pub count: usize,
    pub percent: f64,
}

pub struct WeakLine {
    pub title: String,
    pub group: String,
    pub mean: String,
    pub range: String,
    pub below_cut: usize,
    pub answered: usize,
    pub answers: u32,
    pub assign_href: String,
}

pub struct AreaLine {
    pub title: String,
    pub mean: String,
    pub range: String,
    pub level: u8,
}

pub struct AssignmentLine {
    pub title: String,
    pub href: String,
    pub kind: &'static str,
    pub due: String,
    pub past_due: bool,
    pub done: i64,
    pub started: i64,
}

#[derive(Template)]
#[template(path = "cohorts/dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    id: String,
    name: String,
    exam_code: String,
    exam_title: String,
    target: String,
    members: usize,
    pass: Option<cohort::PassRate>,
    pass_rate: String,
    pass_low: String,
    pass_high: String,
    /// The predicted pass rate on the target date, in a sentence.
    on_target: Option<String>,
    bands: Vec<BandLine>,
    on_track: String,
    cut: String,
    areas: Vec<AreaLine>,
    weakest: Vec<WeakLine>,
    heat_headers: Vec<SortHeader>,
    name_header: SortHeader,
    pass_header: SortHeader,
    active_header: SortHeader,
    lines: Vec<MemberLine>,
    first: usize,
    last: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
    this_week: Week,
    active_this_week: usize,
    active_last_week: usize,
    week_changes: [String; 3],
    assignments: Vec<AssignmentLine>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    let d = engine::cohorts::dashboard(&state.db, &c, &exam).await?;
    render(&build(PageCtx::new(Some(&user)), &c, &exam, d, &q))
}

fn cell(m: &MemberMastery, cut: f64) -> HeatCell {
    let level = cohort::heat(m.mean, cut);
    HeatCell {
        text: format!("{}%", pct(m.mean)),
        range: format!("{}–{}", pct(m.low), pct(m.high)),
        level,
        words: cohort::heat_words(level),
        uncertain: cohort::is_uncertain(m),
    }
}

fn line(c: &CohortRow, m: &MemberView, cut: f64, now: time::OffsetDateTime) -> MemberLine {
    MemberLine {
        name: m.name.clone(),
        href: format!("/cohorts/{}/members/{}", c.id, m.user_id),
        chance: m
            .chance
            .map(|p| format!("{}%", pct(p.probability)))
            .unwrap_or_else(|| "—".into()),
        chance_range: m
            .chance
            .map(|p| format!("{}–{}%", pct(p.low), pct(p.high)))
            .unwrap_or_default(),
        band: m.band(),
        answers: m.answers,
        cells: m.domains.iter().map(|x| cell(x, cut)).collect(),
        last_active: m
            .last_active
            .map(|t| relative_days(-(now.date() - t.date()).whole_days()))
            .unwrap_or_else(|| "never".into()),
        mocks_total: m.mocks_total,
        this_week: m.this_week,
        last_week: m.last_week,
        practice_change: cohort::change(m.this_week.practice_answers, m.last_week.practice_answers),
        minutes_change: cohort::change(m.this_week.minutes, m.last_week.minutes),
    }
}

/// The order and page of the member tables.
struct View {
    key: SortKey,
    descending: bool,
    page: usize,
}

fn view(q: &ViewQuery, areas: usize) -> View {
    let key = SortKey::parse(&q.sort, areas).unwrap_or(SortKey::Name);
    let descending = match q.dir.as_str() {
        "desc" => true,
        "asc" => false,
        _ => key.natural_descending(),
    };
    let page = q.page.parse::<usize>().unwrap_or(1).max(1);
    View {
        key,
        descending,
        page,
    }
}

fn header(id: &str, label: &str, key: SortKey, v: &View) -> SortHeader {
    let active = v.key == key;
    let next_desc = if active {
        !v.descending
    } else {
        key.natural_descending()
    };
    SortHeader {
        label: label.to_string(),
        href: format!(
            "/cohorts/{id}?sort={}&dir={}#heatmap",
            key.as_param(),
            if next_desc { "desc" } else { "asc" }
        ),
        aria_sort: match (active, v.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        },
    }
}

fn page_href(id: &str, v: &View, page: usize) -> String {
    format!(
        "/cohorts/{id}?sort={}&dir={}&page={page}#heatmap",
        v.key.as_param(),
        if v.descending { "desc" } else { "asc" }
    )
}

fn weak_lines(c: &CohortRow, bp: &Blueprint, d: &Dashboard) -> Vec<WeakLine> {
    let objectives: Vec<_> = bp
        .domains
        .iter()
        .flat_map(|dm| dm.objectives.iter())
        .collect();
    d.weakest
        .iter()
        .filter_map(|w| {
            let o = objectives.get(w.index)?;
            Some(WeakLine {
                title: o.title.clone(),
                group: o.group.clone(),
                mean: pct(w.mean),
                range: format!("{}–{}", pct(w.low), pct(w.high)),
                below_cut: w.members_below_cut,
                answered: w.members_answered,
                answers: w.answers,
                assign_href: format!(
                    "/cohorts/{}/assignments/new?kind=practice&objective={}",
                    c.id,
                    form_urlencoded::byte_serialize(o.code.as_bytes()).collect::<String>()
                ),
            })
        })
        .collect()
}

fn build(
    ctx: PageCtx,
    c: &CohortRow,
    exam: &ExamRow,
    d: Dashboard,
    q: &ViewQuery,
) -> DashboardPage {
    let bp = &exam.blueprint.0;
    let cut = bp.cut_percent / 100.0;
    let id = c.id.to_string();
    let v = view(q, bp.domains.len());
    let facts: Vec<SortFacts> = d
        .members
        .iter()
        .map(|m| SortFacts {
            name: m.name.clone(),
            pass: m.chance.map(|c| c.probability),
            areas: m.domains.iter().map(|x| x.mean).collect(),
            last_active: m.last_active.map(|t| t.unix_timestamp()),
        })
        .collect();
    let order = cohort::order(&facts, v.key, v.descending);
    let pages = order.len().div_ceil(PAGE_SIZE).max(1);
    let page = v.page.min(pages);
    let start = (page - 1) * PAGE_SIZE;
    let now = time::OffsetDateTime::now_utc();
    let lines: Vec<MemberLine> = order
        .iter()
        .skip(start)
        .take(PAGE_SIZE)
        .map(|&i| line(c, &d.members[i], cut, now))
        .collect();
    let n = d.members.len();
    let pass = d.pass_rate.clone();
    DashboardPage {
        ctx,
        name: c.name.clone(),
        exam_code: exam.code.clone(),
        exam_title: exam.title.clone(),
        target: match (c.target_date, d.days_left) {
            (Some(t), Some(left)) => format!("{} ({})", date(t), relative_days(left)),
            _ => String::new(),
        },
        members: n,
        pass_rate: pass.as_ref().map(|p| pct(p.expected)).unwrap_or_default(),
        pass_low: pass.as_ref().map(|p| pct(p.low)).unwrap_or_default(),
        pass_high: pass.as_ref().map(|p| pct(p.high)).unwrap_or_default(),
        on_target: match (&d.pass_rate_on_target, c.target_date) {
            (Some(p), Some(t)) => Some(format!(
                "On the target date, {}: about {:.0} of {} would pass ({}%, likely {} to {}) if each keeps learning at their pace so far; the range widens the further off the date is.",
                date(t),
                p.expected_count,
                p.members,
                pct(p.expected),
                p.low_count,
                p.high_count
            )),
            _ => None,
        },
        pass,
        bands: d
            .bands
            .iter()
            .map(|&(band, count)| BandLine {
                band,
                count,
                percent: if n > 0 {
                    count as f64 * 100.0 / n as f64
                } else {
                    0.0
                },
            })
            .collect(),
        on_track: d.on_track.clone(),
        cut: format!("{:.0}", bp.cut_percent),
        areas: bp
            .domains
            .iter()
            .zip(&d.domains)
            .map(|(dm, m)| AreaLine {
                title: dm.title.clone(),
                mean: pct(m.mean),
                range: format!("{}–{}", pct(m.low), pct(m.high)),
                level: cohort::heat(m.mean, cut),
            })
            .collect(),
        weakest: weak_lines(c, bp, &d),
        heat_headers: bp
            .domains
            .iter()
            .enumerate()
            .map(|(i, dm)| header(&id, &dm.title, SortKey::Area(i), &v))
            .collect(),
        name_header: header(&id, "Member", SortKey::Name, &v),
        pass_header: header(&id, "Chance of passing", SortKey::Pass, &v),
        active_header: header(&id, "Last active", SortKey::LastActive, &v),
        first: if n == 0 { 0 } else { start + 1 },
        last: start + lines.len(),
        lines,
        prev_href: (page > 1).then(|| page_href(&id, &v, page - 1)),
        next_href: (page < pages).then(|| page_href(&id, &v, page + 1)),
        this_week: d.this_week,
        active_this_week: d.active_this_week,
        active_last_week: d.active_last_week,
        week_changes: [
            cohort::change(d.this_week.mocks, d.last_week.mocks),
            cohort::change(d.this_week.practice_answers, d.last_week.practice_answers),
            cohort::change(d.this_week.minutes, d.last_week.minutes),
        ],
        assignments: d
            .assignments
            .iter()
            .map(|a| AssignmentLine {
                title: a.title.clone(),
                href: format!("/cohorts/{id}/assignments/{}", a.id),
                kind: match a.kind {
                    crate::types::AssignmentKind::Mock => "Full mock",
                    crate::types::AssignmentKind::Practice => "Practice set",
                },
                due: date(a.due_at.date()),
                past_due: a.past_due,
                done: a.done,
                started: a.started,
            })
            .collect(),
        id,
    }
}
