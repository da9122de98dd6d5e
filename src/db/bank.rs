//! The bank's tables: loading a checked bank in one transaction, and reading it back.
//!
//! Import is idempotent: a question whose content (and scenario) did not change keeps its
//! version; a changed one gets a new version while earlier versions stay for the attempts that
//! showed them; a question no longer in the files is retired, never deleted.

use crate::bank::Bank;
use crate::domain::item::{Item, Scenario};
use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, Transaction};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub exam_code: String,
    pub new_questions: u32,
    pub new_versions: u32,
    pub unchanged: u32,
    pub retired: u32,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} new question(s), {} new version(s), {} unchanged, {} retired",
            self.exam_code, self.new_questions, self.new_versions, self.unchanged, self.retired
        )
    }
}

fn hash_json(value: &serde_json::Value, extra: &str) -> String {
    let mut h = Sha256::new();
    h.update(value.to_string().as_bytes());
    h.update(extra.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn import(pool: &PgPool, bank: &Bank) -> anyhow::Result<ImportReport> {
    let mut tx = pool.begin().await.context("starting a bank import")?;
    let report = import_in(&mut tx, bank)
        .await
        .with_context(|| format!("importing the {} bank", bank.blueprint.code))?;
    tx.commit().await.context("committing a bank import")?;
    Ok(report)
}

async fn import_in(
    tx: &mut Transaction<'_, Postgres>,
    bank: &Bank,
) -> anyhow::Result<ImportReport> {
    let bp = &bank.blueprint;
    let exam_id: Uuid = sqlx::query_scalar(
        "INSERT INTO exams (code, slug, title, duration_minutes, question_count, blueprint)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (code) DO UPDATE SET title = EXCLUDED.title,
             duration_minutes = EXCLUDED.duration_minutes, question_count = EXCLUDED.question_count,
             blueprint = EXCLUDED.blueprint,
             updated_at = CASE WHEN exams.blueprint = EXCLUDED.blueprint THEN exams.updated_at ELSE now() END
         -- An exam written in the browser is never overwritten by files of the same code.
         WHERE exams.source = 'files'
         RETURNING id",
    )
    .bind(&bp.code)
    .bind(bp.slug())
    .bind(&bp.title)
    .bind(bp.duration_minutes as i32)
    .bind(bp.question_count as i32)
    .bind(serde_json::to_value(bp)?)
    .fetch_optional(&mut **tx)
    .await?
    .with_context(|| {
        format!(
            "the exam {} was created in the browser; files cannot replace it",
            bp.code
        )
    })?;

    sqlx::query("DELETE FROM domains WHERE exam_id = $1")
        .bind(exam_id)
        .execute(&mut **tx)
        .await?;
    let mut position = 0;
    for (dpos, d) in bp.domains.iter().enumerate() {
        sqlx::query(
            "INSERT INTO domains (exam_id, code, title, weight_min, weight_max, position) VALUES ($1,$2,$3,$4,$5,$6)",
        )
        .bind(exam_id)
        .bind(&d.code)
        .bind(&d.title)
        .bind(d.weight_min as i32)
        .bind(d.weight_max as i32)
        .bind(dpos as i32)
        .execute(&mut **tx)
        .await?;
        for o in &d.objectives {
            position += 1;
            sqlx::query(
                "INSERT INTO objectives (exam_id, code, domain_code, group_title, title, position) VALUES ($1,$2,$3,$4,$5,$6)",
            )
            .bind(exam_id)
            .bind(&o.code)
            .bind(&d.code)
            .bind(&o.group)
            .bind(&o.title)
            .bind(position)
            .execute(&mut **tx)
            .await?;
        }
    }

    // Scenarios first: a question's version points at its scenario's version.
    let mut scenario_versions: HashMap<String, (Uuid, Uuid, String)> = HashMap::new();
    for s in &bank.scenarios {
        let (sid, svid, hash) = upsert_scenario(tx, exam_id, &s.value).await?;
        scenario_versions.insert(s.value.id.clone(), (sid, svid, hash));
    }

    let existing: Vec<(Uuid, String, Option<String>, Option<i32>)> = sqlx::query_as(
        "SELECT q.id, q.ext_id, v.content_hash, v.version
         FROM questions q LEFT JOIN question_versions v ON v.id = q.current_version_id
         WHERE q.exam_id = $1",
    )
    .bind(exam_id)
    .fetch_all(&mut **tx)
    .await?;
    let existing: HashMap<String, (Uuid, Option<String>, Option<i32>)> = existing
        .into_iter()
        .map(|(id, ext, hash, version)| (ext, (id, hash, version)))
        .collect();

    let mut report = ImportReport {
        exam_code: bp.code.clone(),
        ..Default::default()
    };
    let mut present_ids = Vec::new();
    let mut positions = Vec::new();
    for (pos, located) in bank.items.iter().enumerate() {
        let item: &Item = &located.value;
        let group = item.case.as_ref().or(item.series.as_ref());
        let scenario = group.and_then(|g| scenario_versions.get(g));
        let body = serde_json::to_value(item)?;
        let hash = hash_json(&body, scenario.map(|s| s.2.as_str()).unwrap_or(""));
        let (question_id, next_version) = match existing.get(&item.id) {
            Some((qid, Some(h), _)) if *h == hash => {
                report.unchanged += 1;
                present_ids.push(*qid);
                positions.push(pos as i32);
                continue;
            }
            Some((qid, _, v)) => {
                report.new_versions += 1;
                (*qid, v.unwrap_or(0) + 1)
            }
            None => {
                report.new_questions += 1;
                let qid: Uuid = sqlx::query_scalar(
                    "INSERT INTO questions (exam_id, ext_id, objective_code, kind, bank_position)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(exam_id)
                .bind(&item.id)
                .bind(&item.objective)
                .bind(item.body.kind().bank_name())
                .bind(pos as i32)
                .fetch_one(&mut **tx)
                .await?;
                (qid, 1)
            }
        };
        let version_id: Uuid = sqlx::query_scalar(
            "INSERT INTO question_versions (question_id, version, body, content_hash, scenario_version_id)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(question_id)
        .bind(next_version)
        .bind(&body)
        .bind(&hash)
        .bind(scenario.map(|s| s.1))
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE questions SET current_version_id = $2, objective_code = $3, kind = $4, scenario_id = $5
             WHERE id = $1",
        )
        .bind(question_id)
        .bind(version_id)
        .bind(&item.objective)
        .bind(item.body.kind().bank_name())
        .bind(scenario.map(|s| s.0))
        .execute(&mut **tx)
        .await?;
        present_ids.push(question_id);
        positions.push(pos as i32);
    }
    // Positions and retirement in two set-based statements rather than one per question.
    sqlx::query(
        "UPDATE questions q SET bank_position = p.pos, retired = false, status = 'published'
         FROM UNNEST($1::uuid[], $2::int[]) AS p(id, pos) WHERE q.id = p.id",
    )
    .bind(&present_ids)
    .bind(&positions)
    .execute(&mut **tx)
    .await?;
    let retired = sqlx::query(
        "UPDATE questions SET retired = true, status = 'retired'
         WHERE exam_id = $1 AND NOT retired AND id <> ALL($2)",
    )
    .bind(exam_id)
    .bind(&present_ids)
    .execute(&mut **tx)
    .await?;
    report.retired = retired.rows_affected() as u32;
    Ok(report)
}

async fn upsert_scenario(
    tx: &mut Transaction<'_, Postgres>,
    exam_id: Uuid,
    s: &Scenario,
) -> anyhow::Result<(Uuid, Uuid, String)> {
    let content = serde_json::to_value(s)?;
    let hash = hash_json(&content, "");
    let scenario_id: Uuid = sqlx::query_scalar(
        "INSERT INTO scenarios (exam_id, ext_id, kind) VALUES ($1, $2, $3)
         ON CONFLICT (exam_id, ext_id) DO UPDATE SET kind = EXCLUDED.kind RETURNING id",
    )
    .bind(exam_id)
    .bind(&s.id)
    .bind(s.kind.as_str())
    .fetch_one(&mut **tx)
    .await?;
    let latest: Option<(Uuid, i32, String)> = sqlx::query_as(
        "SELECT id, version, content_hash FROM scenario_versions WHERE scenario_id = $1
         ORDER BY version DESC LIMIT 1",
    )
    .bind(scenario_id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some((vid, _, h)) = &latest {
        if *h == hash {
            return Ok((scenario_id, *vid, hash));
        }
    }
    let version = latest.map(|l| l.1 + 1).unwrap_or(1);
    let vid: Uuid = sqlx::query_scalar(
        "INSERT INTO scenario_versions (scenario_id, version, content, content_hash)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(scenario_id)
    .bind(version)
    .bind(&content)
    .bind(&hash)
    .fetch_one(&mut **tx)
    .await?;
    Ok((scenario_id, vid, hash))
}

/// Reads an exam's current bank back out of the database (for export).
pub async fn load_from_db(
    pool: &PgPool,
    exam_code: &str,
) -> anyhow::Result<
    Option<(
        crate::domain::blueprint::Blueprint,
        Vec<Item>,
        Vec<Scenario>,
    )>,
> {
    let exam: Option<(Uuid, serde_json::Value)> =
        sqlx::query_as("SELECT id, blueprint FROM exams WHERE code = $1 OR slug = $1")
            .bind(exam_code)
            .fetch_optional(pool)
            .await?;
    let Some((exam_id, bp)) = exam else {
        return Ok(None);
    };
    let bp = serde_json::from_value(bp)?;
    let items: Vec<(serde_json::Value,)> = sqlx::query_as(
        "SELECT v.body FROM questions q JOIN question_versions v ON v.id = q.current_version_id
         WHERE q.exam_id = $1 AND NOT q.retired ORDER BY q.bank_position",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await?;
    let scenarios: Vec<(serde_json::Value,)> = sqlx::query_as(
        "SELECT DISTINCT ON (s.id) sv.content FROM scenarios s
         JOIN scenario_versions sv ON sv.scenario_id = s.id
         WHERE s.exam_id = $1 ORDER BY s.id, sv.version DESC",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await?;
    let items = items
        .into_iter()
        .map(|(v,)| serde_json::from_value(v))
        .collect::<Result<Vec<Item>, _>>()?;
    let scenarios = scenarios
        .into_iter()
        .map(|(v,)| serde_json::from_value(v))
        .collect::<Result<Vec<Scenario>, _>>()?;
    Ok(Some((bp, items, scenarios)))
}
