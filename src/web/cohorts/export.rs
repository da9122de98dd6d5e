//! Exports: members × skill areas, and every assignment's results, as CSV (UTF-8, comma,
//! RFC 4180 quoting). A cell that a spreadsheet would read as a formula is prefixed with an
//! apostrophe, since names are typed by candidates.

use super::super::CurrentUser;
use super::assignments::result_text;
use super::{pct, taught};
use crate::db;
use crate::domain::blueprint::Blueprint;
use crate::engine;
use crate::engine::cohorts::{status_of, Dashboard};
use crate::error::Result;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// One CSV field.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn push_row(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

fn csv_response(name: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// A file name from the cohort's name: letters, digits and dashes.
fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "cohort".into()
    } else {
        s
    }
}

/// Members × skill areas: chance of passing with its range, band, answers, mastery of each
/// area with its range, last activity and full mocks.
fn members_table(bp: &Blueprint, d: &Dashboard) -> String {
    let mut out = String::with_capacity(256 * (d.members.len() + 1));
    let mut head: Vec<String> = [
        "Member",
        "Email",
        "Chance of passing (%)",
        "Likely low (%)",
        "Likely high (%)",
        "Band",
        "Scored answers",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for dm in &bp.domains {
        head.push(format!("{} (%)", dm.title));
        head.push(format!("{} low (%)", dm.title));
        head.push(format!("{} high (%)", dm.title));
    }
    head.extend(["Last active (UTC)", "Full mocks"].map(String::from));
    push_row(&mut out, &head);
    for m in &d.members {
        let mut row = vec![
            m.name.clone(),
            m.email.clone(),
            m.chance.map(|p| pct(p.probability)).unwrap_or_default(),
            m.chance.map(|p| pct(p.low)).unwrap_or_default(),
            m.chance.map(|p| pct(p.high)).unwrap_or_default(),
            m.band().short().to_string(),
            m.answers.to_string(),
        ];
        for x in &m.domains {
            row.extend([pct(x.mean), pct(x.low), pct(x.high)]);
        }
        row.push(
            m.last_active
                .map(super::super::format::time)
                .unwrap_or_default(),
        );
        row.push(m.mocks_total.to_string());
        push_row(&mut out, &row);
    }
    out
}

pub(super) async fn members_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    let d = engine::cohorts::dashboard(&state.db, &c, &exam).await?;
    let body = members_table(&exam.blueprint, &d);
    Ok(csv_response(
        &format!("{}-members.csv", file_stem(&c.name)),
        body,
    ))
}

pub(super) async fn assignments_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let (c, _) = taught(&state, &user, &id).await?;
    let (assignments, rows) = tokio::try_join!(
        db::cohorts::assignments(&state.db, c.id),
        db::cohorts::results(&state.db, c.id, None),
    )?;
    let by_id: HashMap<_, _> = assignments.iter().map(|a| (a.id, a)).collect();
    let mut out = String::new();
    let head = [
        "Assignment",
        "Kind",
        "Due (UTC)",
        "Member",
        "Email",
        "Status",
        "Submitted (UTC)",
        "Result",
    ];
    push_row(&mut out, &head.map(String::from));
    for r in &rows {
        let Some(a) = by_id.get(&r.assignment_id) else {
            continue;
        };
        push_row(
            &mut out,
            &[
                a.title.clone(),
                a.kind.as_str().to_string(),
                a.due_at.date().to_string(),
                r.display_name.clone(),
                r.email.clone(),
                status_of(r.status, a.past_due).label().to_string(),
                r.submitted_at
                    .map(super::super::format::time)
                    .unwrap_or_default(),
                result_text(r, a.kind),
            ],
        );
    }
    Ok(csv_response(
        &format!("{}-assignments.csv", file_stem(&c.name)),
        out,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-5"), "'-5");
        assert_eq!(file_stem("Data team, spring!"), "data-team-spring");
        assert_eq!(file_stem("ÄÖ"), "cohort");
    }
}
