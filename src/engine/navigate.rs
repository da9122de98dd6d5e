//! What opening an item or the review screen does to the attempt, and where the Next, Previous
//! and Review buttons lead.

use crate::db;
use crate::db::attempts::{AttemptRow, ItemRow, NavRow};
use crate::domain::assembly::SectionKind;
use crate::types::{AttemptId, Mode, Nav, SubmitReason, UserId};
use anyhow::Context;
use sqlx::PgPool;

/// Where the candidate goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Item(i32),
    Review,
    Submit,
    /// The break confirmation, remembering the question left for it.
    Break(i32),
}

/// Whether the key of a checked practice item may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    /// Not checked (or not practice): nothing to show.
    Hidden,
    Shown,
    /// The same question is in a mock in progress: its answer waits for that mock.
    WithheldForMock,
}

/// Everything an item page needs, after the rules of opening it were applied.
#[derive(Debug, Clone)]
pub struct ItemScreen {
    pub item: ItemRow,
    pub prev: Option<i32>,
    pub next: Option<i32>,
    /// Going to `next` / `prev` leaves the case study on screen (and closes it).
    pub leaves_case_on_next: bool,
    pub leaves_case_on_prev: bool,
    /// First and last position of the case study on screen.
    pub case_span: Option<(i32, i32)>,
    pub reveal: Reveal,
    /// The questions of the section on screen, for the navigator (the real exam lists only the
    /// current section).
    pub section: Vec<NavRow>,
}

/// What opening an item found.
#[derive(Debug, Clone)]
pub enum Opened {
    Screen(Box<ItemScreen>),
    /// The item is closed; the first open item after it, if any.
    Closed {
        section_kind: SectionKind,
        continue_at: Option<i32>,
    },
    Missing,
}

/// What asking for an item page leads to.
#[derive(Debug, Clone)]
pub enum Visit {
    /// The attempt is over (submitted, or its time and grace have run out and it was closed
    /// now): the score report.
    Over,
    Item {
        attempt: Box<AttemptRow>,
        opened: Opened,
    },
}

/// The candidate asks for item `n`: one statement reads the attempt and opens the item (see
/// [`db::attempts::open_screen`]); an attempt past its deadline and grace is closed first.
/// `None` when the attempt is not the candidate's.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id, position = n), err)]
pub async fn visit(
    db: &PgPool,
    id: AttemptId,
    user: UserId,
    n: i32,
    grace_seconds: i64,
) -> anyhow::Result<Option<Visit>> {
    let Some(screen) = db::attempts::open_screen(db, id, user, n, grace_seconds).await? else {
        return Ok(None);
    };
    let db::attempts::Screen { attempt, nav, item } = screen;
    if attempt.in_progress() && attempt.past_grace(grace_seconds) {
        super::finalize(db, attempt.id, crate::types::SubmitReason::Expired).await?;
        return Ok(Some(Visit::Over));
    }
    if !attempt.in_progress() {
        return Ok(Some(Visit::Over));
    }
    let opened = open_item(db, &attempt, nav, item, user, n).await?;
    Ok(Some(Visit::Item {
        attempt: Box::new(attempt),
        opened,
    }))
}

/// Opens item `n` of an attempt in progress, from its screen as read by
/// [`db::attempts::open_screen`] (which already closed the problem–solution questions left,
/// marked the item viewed and moved the clock, when the item could be opened): entering another
/// section closes the case study the candidate was in.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %a.id, position = n), err)]
async fn open_item(
    db: &PgPool,
    a: &AttemptRow,
    nav: Vec<NavRow>,
    item: Option<ItemRow>,
    user: UserId,
    n: i32,
) -> anyhow::Result<Opened> {
    let Some(item) = item else {
        return Ok(Opened::Missing);
    };
    if item.locked {
        return Ok(Opened::Closed {
            section_kind: item.section_kind,
            continue_at: nav
                .iter()
                .find(|i| i.position > n && !i.locked)
                .map(|i| i.position),
        });
    }
    let case_section = super::save::case_section(item.section_kind, item.section);
    if a.open_section != case_section {
        db::attempts::enter_section(db, a.id, case_section).await?;
    }
    let reveal = if !(a.is_practice() && item.checked) {
        Reveal::Hidden
    } else if db::attempts::in_open_mock(db, user, item.question_id).await? {
        Reveal::WithheldForMock
    } else {
        Reveal::Shown
    };
    let prev = nav.iter().rev().find(|i| i.position < n && !i.locked);
    let next = nav.iter().find(|i| i.position > n);
    let in_case = item.section_kind == SectionKind::Case;
    let leaves =
        |other: Option<&NavRow>| in_case && other.is_none_or(|o| o.section != item.section);
    let same_section = || {
        nav.iter()
            .filter(|i| i.section == item.section)
            .map(|i| i.position)
    };
    let case_span = in_case.then(|| {
        (
            same_section().min().unwrap_or(n),
            same_section().max().unwrap_or(n),
        )
    });
    let section = nav
        .iter()
        .filter(|i| i.section == item.section)
        .cloned()
        .collect();
    Ok(Opened::Screen(Box::new(ItemScreen {
        section,
        // A problem–solution item cannot go back.
        prev: prev
            .filter(|_| item.section_kind != SectionKind::Series && a.mode != Mode::Check)
            .map(|i| i.position),
        next: next.map(|i| i.position),
        leaves_case_on_next: leaves(next),
        leaves_case_on_prev: leaves(prev),
        case_span,
        reveal,
        item,
    })))
}

/// Opens the review screen of the candidate's attempt (`None` for anyone else's): it is outside
/// every section, so a case study left for it closes, so do problem–solution questions seen or
/// answered, and the clock on the item left stops — in one statement with the read. An attempt
/// whose deadline and grace have both passed is closed first, as every page of it does.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id), err)]
pub async fn review(
    db: &PgPool,
    id: AttemptId,
    user: UserId,
    grace_seconds: i64,
) -> anyhow::Result<Option<db::attempts::Review>> {
    let Some(r) = db::attempts::open_review(db, id, user, grace_seconds).await? else {
        return Ok(None);
    };
    if r.attempt.in_progress() && r.attempt.past_grace(grace_seconds) {
        super::finalize(db, id, SubmitReason::Expired)
            .await
            .context("closing an attempt whose time ran out")?;
        return db::attempts::open_review(db, id, user, grace_seconds).await;
    }
    Ok(Some(r))
}

/// Where a question's form sends the candidate after saving item `n` (`goto` is the question
/// chosen in the navigator; a closed one leads to the review screen).
#[tracing::instrument(skip_all, fields(attempt = %id, position = n, nav = %nav), err)]
pub async fn destination(
    db: &PgPool,
    id: AttemptId,
    n: i32,
    nav: Nav,
    practice: bool,
    goto: Option<i32>,
) -> anyhow::Result<Destination> {
    let items = db::attempts::nav_rows(db, id).await?;
    Ok(destination_in(&items, n, nav, practice, goto))
}

/// Where a navigation button leads from item `n`, given where every item sits.
pub fn destination_in(
    items: &[NavRow],
    n: i32,
    nav: Nav,
    practice: bool,
    goto: Option<i32>,
) -> Destination {
    let target = match nav {
        Nav::Prev => items
            .iter()
            .rev()
            .find(|i| i.position < n && !i.locked)
            .map(|i| i.position),
        Nav::Next => items
            .iter()
            .find(|i| i.position > n && !i.locked)
            .map(|i| i.position),
        Nav::Stay => Some(n),
        Nav::Check if practice => Some(n),
        Nav::Check | Nav::Review => None,
        Nav::Goto => goto.filter(|g| items.iter().any(|i| i.position == *g && !i.locked)),
        Nav::Submit => return Destination::Submit,
        Nav::Break => return Destination::Break(n),
    };
    target.map_or(Destination::Review, Destination::Item)
}

/// Where "resume" leads: the first item that can still be answered and has no answer, else the
/// review screen.
#[tracing::instrument(skip_all, fields(attempt = %id), err)]
pub async fn resume(db: &PgPool, id: AttemptId) -> anyhow::Result<Destination> {
    let items = db::attempts::items_cached(db, id).await?;
    Ok(items
        .iter()
        .find(|i| !i.locked && !i.checked && !i.answered())
        .map_or(Destination::Review, |i| Destination::Item(i.position)))
}
