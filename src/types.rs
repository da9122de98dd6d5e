//! Identifiers and states that cross every layer: typed ids that cannot be swapped silently, and
//! enums for the states the database stores as text (each with one spelling, here).
//!
//! Every type maps to its column through sqlx: ids are transparent UUIDs, states are `text`
//! columns guarded by CHECK constraints in the migrations, read and written through `as_str` and
//! `parse`, so an unknown spelling in the database is an error with the column's type name rather
//! than a silent default.

use crate::domain::assembly::SectionKind;
use crate::domain::item::ScenarioKind;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new_random() -> Self {
                $name(Uuid::new_v4())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id)
            }
        }
    };
}

id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// One attempt: a full mock or a practice set.
    AttemptId
);
id_type!(
    /// A question across all its versions.
    QuestionId
);
id_type!(
    /// An exam (one blueprint and its bank).
    ExamId
);
id_type!(
    /// A cohort: candidates preparing for one exam, followed by its instructors.
    CohortId
);
id_type!(
    /// Work given to a cohort.
    AssignmentId
);

/// Implements the sqlx text mapping and serde for an enum with `as_str` and `parse`.
macro_rules! text_mapping {
    ($name:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<'r, sqlx::Postgres>>::decode(value)?;
                $name::parse(text).ok_or_else(|| {
                    format!(concat!("unknown ", stringify!($name), " `{}`"), text).into()
                })
            }
        }
    };
}

/// An enum stored as text: the variants and their one spelling.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        text_mapping!($name);
    };
}

text_enum!(
    /// Whether answers may still change.
    AttemptStatus {
        InProgress => "in_progress",
        Submitted => "submitted",
    }
);

text_enum!(
    /// A full mock under exam rules, a practice set with answers checked on the spot, or the
    /// adaptive readiness check (exam rules, questions chosen one at a time).
    Mode {
        Exam => "exam",
        Practice => "practice",
        Check => "check",
    }
);

text_enum!(
    /// What an account may do beyond taking exams.
    Role {
        Candidate => "candidate",
        Instructor => "instructor",
        Admin => "admin",
    }
);

impl Role {
    /// Instructors and admins may open the authoring pages.
    pub fn can_author(self) -> bool {
        matches!(self, Role::Instructor | Role::Admin)
    }
}

text_enum!(
    /// What a mailed one-time link is for.
    TokenPurpose {
        /// Set a new password (30 minutes).
        Reset => "reset",
        /// Prove an address: at registration, or a new address when the email changes.
        Verify => "verify",
        /// An account an admin created: set a password and prove the address at once.
        Invite => "invite",
    }
);

text_enum!(
    /// An admin's action on an account, as the audit log records it.
    AuditAction {
        Invite => "invite",
        Disable => "disable",
        Enable => "enable",
        SendReset => "send_reset",
        ChangeRole => "change_role",
        Delete => "delete",
    }
);

impl AuditAction {
    /// How the audit log page names the action.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Invite => "Invited",
            AuditAction::Disable => "Disabled",
            AuditAction::Enable => "Re-enabled",
            AuditAction::SendReset => "Sent a reset link to",
            AuditAction::ChangeRole => "Changed the role of",
            AuditAction::Delete => "Deleted",
        }
    }
}

text_enum!(
    /// How the admin list of accounts is sorted (the `sort` query parameter).
    UserSort {
        Newest => "newest",
        Oldest => "oldest",
        Name => "name",
        Email => "email",
        Role => "role",
    }
);

text_enum!(
    /// Why an attempt was closed.
    SubmitReason {
        /// The candidate pressed Submit.
        Candidate => "candidate",
        /// A page or save arrived after the deadline and its grace.
        Expired => "expired",
        /// The background sweeper closed an abandoned attempt.
        Swept => "swept",
    }
);

text_enum!(
    /// Where a question's form sends the candidate after saving (the `nav` field).
    Nav {
        Prev => "prev",
        Next => "next",
        /// Save and stay (the autosave and "Save" button).
        Stay => "stay",
        /// Practice: save, then reveal the key.
        Check => "check",
        Review => "review",
        Submit => "submit",
        /// Save, then go to the question chosen in the navigator (`goto`).
        Goto => "goto",
        /// Save, then offer a break.
        Break => "break",
    }
);

text_enum!(
    /// What an assignment asks members to do.
    AssignmentKind {
        /// A full mock under exam rules.
        Mock => "mock",
        /// A practice set on chosen objectives.
        Practice => "practice",
    }
);

impl SectionKind {
    pub fn parse(text: &str) -> Option<Self> {
        [
            SectionKind::Standalone,
            SectionKind::Series,
            SectionKind::Case,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}
text_mapping!(SectionKind);

impl ScenarioKind {
    pub fn parse(text: &str) -> Option<Self> {
        [ScenarioKind::Case, ScenarioKind::Series]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}
text_mapping!(ScenarioKind);

text_enum!(
    /// The colours a visitor chose for every page (kept in a cookie, not in the database).
    #[derive(Default)]
    Theme {
        /// Light or dark, as the operating system prefers.
        #[default]
        Auto => "auto",
        Light => "light",
        Dark => "dark",
        /// Black, white and yellow, every text at 7:1 or more.
        Contrast => "contrast",
    }
);

impl Theme {
    /// What the chooser calls each theme.
    pub fn label(self) -> &'static str {
        match self {
            Theme::Auto => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
            Theme::Contrast => "High contrast",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_round_trips_through_its_spelling() {
        for s in AttemptStatus::ALL {
            assert_eq!(AttemptStatus::parse(s.as_str()), Some(*s));
        }
        for m in Mode::ALL {
            assert_eq!(Mode::parse(m.as_str()), Some(*m));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        for r in SubmitReason::ALL {
            assert_eq!(SubmitReason::parse(r.as_str()), Some(*r));
        }
        for n in Nav::ALL {
            assert_eq!(Nav::parse(n.as_str()), Some(*n));
        }
        for t in Theme::ALL {
            assert_eq!(Theme::parse(t.as_str()), Some(*t));
        }
        for k in AssignmentKind::ALL {
            assert_eq!(AssignmentKind::parse(k.as_str()), Some(*k));
        }
        for k in [
            SectionKind::Standalone,
            SectionKind::Series,
            SectionKind::Case,
        ] {
            assert_eq!(SectionKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Mode::parse("Exam"), None);
        assert_eq!(Role::parse(""), None);
    }

    #[test]
    fn ids_print_and_parse_as_uuids() {
        let id = AttemptId::new_random();
        assert_eq!(id.to_string().parse::<AttemptId>().unwrap(), id);
        assert!("not-a-uuid".parse::<UserId>().is_err());
    }
}

text_enum!(
    /// Where a question stands in review. Only published questions reach candidates.
    QuestionStatus {
        Draft => "draft",
        InReview => "in_review",
        Published => "published",
        Retired => "retired",
    }
);

impl QuestionStatus {
    /// What instructors read.
    pub fn label(self) -> &'static str {
        match self {
            QuestionStatus::Draft => "Draft",
            QuestionStatus::InReview => "In review",
            QuestionStatus::Published => "Published",
            QuestionStatus::Retired => "Retired",
        }
    }
}

text_enum!(
    /// What happened to a question, as its audit trail records it.
    QuestionAction {
        Create => "create",
        Edit => "edit",
        Revert => "revert",
        Submit => "submit",
        Approve => "approve",
        SendBack => "send_back",
        Retire => "retire",
        Reopen => "reopen",
    }
);

impl QuestionAction {
    /// The past tense instructors read in the log.
    pub fn label(self) -> &'static str {
        match self {
            QuestionAction::Create => "Created",
            QuestionAction::Edit => "Saved a new version of",
            QuestionAction::Revert => "Reverted",
            QuestionAction::Submit => "Sent for review",
            QuestionAction::Approve => "Approved and published",
            QuestionAction::SendBack => "Sent back to draft",
            QuestionAction::Retire => "Retired",
            QuestionAction::Reopen => "Reopened as a draft",
        }
    }
}
