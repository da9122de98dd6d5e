//! An exam written in the browser: the blueprint form's fields, read into a [`Blueprint`] with
//! the same checks a blueprint file gets (`Blueprint::problems`) plus what only a form can get
//! wrong (a number that is not one, an objective line without a title).

use super::blueprint::{Blueprint, Domain, Objective};

/// How many domain rows the form offers.
pub const DOMAIN_ROWS: usize = 8;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainForm {
    pub code: String,
    pub title: String,
    pub weight_min: String,
    pub weight_max: String,
    /// One objective per line: `code | title` or `code | title | skill heading`.
    pub objectives: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExamForm {
    pub code: String,
    pub title: String,
    pub duration_minutes: String,
    pub question_count: String,
    pub cut_percent: String,
    /// Shown in the catalogue (otherwise reachable only by its address).
    pub listed: bool,
    pub second_approval: bool,
    pub domains: Vec<DomainForm>,
}

impl Default for ExamForm {
    fn default() -> Self {
        ExamForm {
            code: String::new(),
            title: String::new(),
            duration_minutes: "60".into(),
            question_count: "20".into(),
            cut_percent: "70".into(),
            listed: false,
            second_approval: true,
            domains: vec![],
        }
    }
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

impl ExamForm {
    /// The form of an existing blueprint, for editing it.
    pub fn from_blueprint(bp: &Blueprint, second_approval: bool) -> ExamForm {
        ExamForm {
            code: bp.code.clone(),
            title: bp.title.clone(),
            duration_minutes: bp.duration_minutes.to_string(),
            question_count: bp.question_count.to_string(),
            cut_percent: format!("{}", bp.cut_percent),
            listed: !bp.unlisted,
            second_approval,
            domains: bp
                .domains
                .iter()
                .map(|d| DomainForm {
                    code: d.code.clone(),
                    title: d.title.clone(),
                    weight_min: d.weight_min.to_string(),
                    weight_max: d.weight_max.to_string(),
                    objectives: d
                        .objectives
                        .iter()
                        .map(|o| {
                            if o.group == d.title {
                                format!("{} | {}", o.code, o.title)
                            } else {
                                format!("{} | {} | {}", o.code, o.title, o.group)
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                })
                .collect(),
        }
    }

    /// The blueprint, or (field, message) for every problem.
    pub fn to_blueprint(&self) -> Result<Blueprint, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let code = self.code.trim().to_string();
        if !valid_code(&code) {
            errors.push((
                "code".into(),
                "The exam code uses letters, digits, dots, hyphens and underscores (at most 40), for example TEAM-101.".into(),
            ));
        }
        if self.title.trim().is_empty() {
            errors.push(("title".into(), "Give the exam a title.".into()));
        }
        let mut number = |field: &str, text: &str, what: &str| -> u32 {
            match text.trim().parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    errors.push((
                        field.into(),
                        format!("{what} must be a whole number, not “{}”.", text.trim()),
                    ));
                    0
                }
            }
        };
        let duration = number("duration_minutes", &self.duration_minutes, "The duration");
        let count = number(
            "question_count",
            &self.question_count,
            "The number of questions",
        );
        let cut = match self.cut_percent.trim().replace(',', ".").parse::<f64>() {
            Ok(c) if c.is_finite() => c,
            _ => {
                errors.push((
                    "cut_percent".into(),
                    format!(
                        "The cut score must be a percentage, not “{}”.",
                        self.cut_percent.trim()
                    ),
                ));
                70.0
            }
        };
        let mut domains = Vec::new();
        for (i, d) in self.domains.iter().enumerate() {
            let blank = d.code.trim().is_empty()
                && d.title.trim().is_empty()
                && d.objectives.trim().is_empty();
            if blank {
                continue;
            }
            let field = |f: &str| format!("d{}_{f}", i + 1);
            if !valid_code(d.code.trim()) {
                errors.push((
                    field("code"),
                    format!(
                        "Skill area {}: give it a code of letters, digits, dots or hyphens.",
                        i + 1
                    ),
                ));
            }
            if d.title.trim().is_empty() {
                errors.push((
                    field("title"),
                    format!("Skill area {}: give it a title.", i + 1),
                ));
            }
            let mut weight = |f: &str, text: &str| -> u32 {
                text.trim().parse::<u32>().unwrap_or_else(|_| {
                    errors.push((
                        field(f),
                        format!(
                            "Skill area {}: weights are whole percentages, not “{}”.",
                            i + 1,
                            text.trim()
                        ),
                    ));
                    0
                })
            };
            let weight_min = weight("weight_min", &d.weight_min);
            let weight_max = weight("weight_max", &d.weight_max);
            let mut objectives = Vec::new();
            for (n, line) in d.objectives.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let parts: Vec<&str> = line.split('|').map(str::trim).collect();
                match parts.as_slice() {
                    [code, title] | [code, title, ""] if valid_code(code) && !title.is_empty() => {
                        objectives.push(Objective {
                            code: code.to_string(),
                            group: d.title.trim().to_string(),
                            title: title.to_string(),
                        })
                    }
                    [code, title, group] if valid_code(code) && !title.is_empty() => {
                        objectives.push(Objective {
                            code: code.to_string(),
                            group: group.to_string(),
                            title: title.to_string(),
                        })
                    }
                    _ => errors.push((
                        field("objectives"),
                        format!("Skill area {}, objective line {}: write `code | title` (or `code | title | skill heading`), found “{}”.", i + 1, n + 1, line.trim()),
                    )),
                }
            }
            if objectives.is_empty() {
                errors.push((
                    field("objectives"),
                    format!("Skill area {}: list at least one objective.", i + 1),
                ));
            }
            domains.push(Domain {
                code: d.code.trim().to_string(),
                title: d.title.trim().to_string(),
                weight_min,
                weight_max,
                objectives,
            });
        }
        let bp = Blueprint {
            code,
            title: self.title.trim().to_string(),
            duration_minutes: duration,
            question_count: count,
            pass_scaled: 700,
            cut_percent: cut,
            min_questions_per_objective: 0,
            min_questions_per_domain: 0,
            retired_on: None,
            successor: None,
            learn_access: false,
            unlisted: !self.listed,
            breaks: false,
            domains,
        };
        if errors.is_empty() {
            errors.extend(bp.problems().into_iter().map(|p| (String::new(), p)));
        }
        if errors.is_empty() {
            Ok(bp)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ExamForm {
        ExamForm {
            code: "TEAM-101".into(),
            title: "Team mock".into(),
            question_count: "4".into(),
            domains: vec![
                DomainForm {
                    code: "data".into(),
                    title: "Data".into(),
                    weight_min: "40".into(),
                    weight_max: "60".into(),
                    objectives: "data.clean | Clean data\ndata.split | Split data | Prepare".into(),
                },
                DomainForm {
                    code: "models".into(),
                    title: "Models".into(),
                    weight_min: "40".into(),
                    weight_max: "60".into(),
                    objectives: "models.train | Train".into(),
                },
                DomainForm::default(),
            ],
            ..ExamForm::default()
        }
    }

    #[test]
    fn a_complete_form_makes_a_blueprint_that_reads_back_to_the_same_form() {
        let bp = form().to_blueprint().unwrap();
        assert_eq!(bp.domains.len(), 2);
        assert_eq!(bp.domains[0].objectives[1].group, "Prepare");
        assert!(bp.unlisted);
        let again = ExamForm::from_blueprint(&bp, true).to_blueprint().unwrap();
        assert_eq!(again, bp);
    }

    #[test]
    fn weights_that_cannot_make_a_form_are_refused_with_the_blueprint_message() {
        let mut f = form();
        for d in &mut f.domains[..2] {
            d.weight_min = "10".into();
            d.weight_max = "20".into();
        }
        let errs = f.to_blueprint().unwrap_err();
        assert!(errs[0].1.contains("cannot make a form of 4"), "{errs:?}");
    }

    #[test]
    fn typing_mistakes_name_their_field() {
        let mut f = form();
        f.duration_minutes = "ninety".into();
        f.domains[1].objectives = "no title here".into();
        let errs = f.to_blueprint().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            fields,
            ["duration_minutes", "d2_objectives", "d2_objectives"]
        );
    }
}
