//! Item analysis of an exam: reads the questions and the scored items of submitted mocks
//! (`db::analysis`), turns them into the pure input of `domain::stats`, and returns the figures
//! next to each question. Options are counted on answers to the question's current version
//! (the one the preview shows); every other figure pools all versions.

use crate::db;
use crate::db::analysis::{AnswerRow, AttemptScope, QuestionRow};
use crate::domain::stats::{self, Answer, ChoiceTable, QuestionInfo, QuestionStats, TestStats};
use crate::types::{AttemptId, ExamId, QuestionId};
use sqlx::PgPool;
use std::collections::HashMap;

/// One question with its figures (`None` before anyone answered it in the scope).
#[derive(Debug, Clone)]
pub struct QuestionFigures {
    pub question: QuestionRow,
    pub choices: ChoiceTable,
    pub stats: Option<QuestionStats>,
}

impl QuestionFigures {
    /// "A", or "Blank 2: B": how flags and tables name an option.
    pub fn option_name(&self, part: u16, option: u16) -> String {
        let Some(p) = self.choices.parts.get(part as usize) else {
            return "an option".into();
        };
        let id = p.options.get(option as usize).map_or("?", |o| o.0.as_str());
        if self.choices.parts.len() == 1 {
            format!("option {id}")
        } else {
            format!("{id} in {}", p.label.to_lowercase())
        }
    }

    /// Every flag in words.
    pub fn flag_texts(&self) -> Vec<String> {
        self.stats.as_ref().map_or_else(Vec::new, |s| {
            s.flags
                .iter()
                .map(|f| f.describe(|p, o| self.option_name(p, o)))
                .collect()
        })
    }
}

#[derive(Debug, Clone)]
pub struct ExamAnalysis {
    pub scope: AttemptScope,
    /// Submitted full mocks of the exam, and candidates who took them (whatever the scope).
    pub submitted: i64,
    pub candidates: i64,
    pub test: TestStats,
    /// In bank order.
    pub questions: Vec<QuestionFigures>,
}

/// The analysis of one exam over its submitted mocks in `scope`.
#[tracing::instrument(skip(db), err)]
pub async fn analyse(
    db: &PgPool,
    exam_id: ExamId,
    scope: AttemptScope,
) -> anyhow::Result<ExamAnalysis> {
    let (questions, answers, (submitted, candidates)) = tokio::try_join!(
        db::analysis::questions(db, exam_id),
        db::analysis::answers(db, exam_id, scope),
        db::analysis::mock_counts(db, exam_id),
    )?;
    let (test, stats) = compute(&questions, &answers);
    let questions = questions
        .into_iter()
        .zip(stats)
        .map(|(question, stats)| QuestionFigures {
            choices: stats::choice_table(&question.body.0.body),
            question,
            stats,
        })
        .collect();
    Ok(ExamAnalysis {
        scope,
        submitted,
        candidates,
        test,
        questions,
    })
}

/// The pure part: rows as read → figures per question (in the order of `questions`).
pub fn compute(
    questions: &[QuestionRow],
    rows: &[AnswerRow],
) -> (TestStats, Vec<Option<QuestionStats>>) {
    let index: HashMap<QuestionId, usize> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id, i))
        .collect();
    let info: Vec<QuestionInfo> = questions
        .iter()
        .map(|q| QuestionInfo {
            random_guess: stats::random_guess(&q.body.0.body),
            choices: Some(stats::choice_table(&q.body.0.body)),
        })
        .collect();
    let mut attempts: HashMap<AttemptId, u32> = HashMap::new();
    let answers: Vec<Answer> = rows
        .iter()
        .filter_map(|r| {
            let q = *index.get(&r.question_id)?;
            let next = attempts.len() as u32;
            let attempt = *attempts.entry(r.attempt_id).or_insert(next);
            let current = &questions[q];
            let picks = (r.version_id == current.current_version_id).then(|| {
                r.response
                    .as_ref()
                    .map_or_else(Vec::new, |resp| stats::picks(&current.body.0.body, &resp.0))
            });
            Some(Answer {
                attempt,
                question: q as u32,
                position: r.position.max(0) as u32,
                points: r.points as f64,
                max: r.max_points as f64,
                seconds: r.seconds,
                picks,
            })
        })
        .collect();
    let analysis = stats::analyse(&info, &answers);
    let mut per_question: Vec<Option<QuestionStats>> = vec![None; questions.len()];
    for s in analysis.questions {
        if let Some(slot) = per_question.get_mut(s.question as usize) {
            *slot = Some(s);
        }
    }
    (analysis.test, per_question)
}
