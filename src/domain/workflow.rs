//! The review workflow of a question: draft → in review → published → retired.
//!
//! Only published questions reach candidates. A save (a new version, or a revert to an old one)
//! always leaves a draft, so nothing unreviewed is ever shown: editing a published question takes
//! it out of new forms and practice sets until it is approved again, while attempts that showed
//! an earlier version keep that version. Approval may need a second instructor: someone other
//! than the author of the version under review.

use crate::types::{QuestionAction, QuestionStatus, UserId};

/// Who asks for a transition, and who wrote the version it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub actor: UserId,
    /// The author of the current version; `None` for versions imported from files.
    pub author: Option<UserId>,
    /// The exam asks for a second instructor's approval.
    pub second_approval: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("“{action}” is not possible for a question that is {from}")]
    NotFrom {
        action: &'static str,
        from: &'static str,
    },
    #[error("A second instructor must approve this question: you wrote its current version. Ask a co-owner of the exam to review it.")]
    OwnVersion,
    #[error("A retired question cannot be edited: reopen it as a draft first.")]
    RetiredEdit,
}

fn verb(action: QuestionAction) -> &'static str {
    match action {
        QuestionAction::Create => "create",
        QuestionAction::Edit => "save",
        QuestionAction::Revert => "revert",
        QuestionAction::Submit => "send for review",
        QuestionAction::Approve => "approve",
        QuestionAction::SendBack => "send back",
        QuestionAction::Retire => "retire",
        QuestionAction::Reopen => "reopen",
    }
}

fn state_words(s: QuestionStatus) -> &'static str {
    match s {
        QuestionStatus::Draft => "a draft",
        QuestionStatus::InReview => "in review",
        QuestionStatus::Published => "published",
        QuestionStatus::Retired => "retired",
    }
}

/// The state after `action`, or why it is refused. `from` is `None` for a question that does not
/// exist yet (only `Create` applies).
pub fn next(
    from: Option<QuestionStatus>,
    action: QuestionAction,
    req: Request,
) -> Result<QuestionStatus, Refusal> {
    use QuestionAction as A;
    use QuestionStatus as S;
    let Some(from) = from else {
        return match action {
            A::Create => Ok(S::Draft),
            _ => Err(Refusal::NotFrom {
                action: verb(action),
                from: "not written yet",
            }),
        };
    };
    let refuse = || Refusal::NotFrom {
        action: verb(action),
        from: state_words(from),
    };
    match (action, from) {
        (A::Edit | A::Revert, S::Retired) => Err(Refusal::RetiredEdit),
        (A::Edit | A::Revert, _) => Ok(S::Draft),
        (A::Submit, S::Draft) => Ok(S::InReview),
        (A::Approve, S::InReview) => {
            if req.second_approval && req.author == Some(req.actor) {
                Err(Refusal::OwnVersion)
            } else {
                Ok(S::Published)
            }
        }
        (A::SendBack, S::InReview) => Ok(S::Draft),
        (A::Retire, S::Draft | S::InReview | S::Published) => Ok(S::Retired),
        (A::Reopen, S::Retired) => Ok(S::Draft),
        _ => Err(refuse()),
    }
}

/// The transitions a page offers for a question in `from` (saves are offered by the editor).
pub fn offered(from: QuestionStatus) -> &'static [QuestionAction] {
    use QuestionAction as A;
    match from {
        QuestionStatus::Draft => &[A::Submit, A::Retire],
        QuestionStatus::InReview => &[A::Approve, A::SendBack, A::Retire],
        QuestionStatus::Published => &[A::Retire],
        QuestionStatus::Retired => &[A::Reopen],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use QuestionAction as A;
    use QuestionStatus as S;

    fn user(n: u8) -> UserId {
        UserId(uuid::Uuid::from_bytes([n; 16]))
    }

    fn req(actor: u8, author: Option<u8>, second: bool) -> Request {
        Request {
            actor: user(actor),
            author: author.map(user),
            second_approval: second,
        }
    }

    #[test]
    fn the_happy_path_needs_a_second_instructor() {
        let r = req(1, Some(1), true);
        let s = next(None, A::Create, r).unwrap();
        assert_eq!(s, S::Draft);
        let s = next(Some(s), A::Submit, r).unwrap();
        assert_eq!(s, S::InReview);
        assert_eq!(next(Some(s), A::Approve, r), Err(Refusal::OwnVersion));
        assert_eq!(
            next(Some(s), A::Approve, req(2, Some(1), true)),
            Ok(S::Published)
        );
        // An owner teaching alone may switch the rule off.
        assert_eq!(
            next(Some(s), A::Approve, req(1, Some(1), false)),
            Ok(S::Published)
        );
    }

    #[test]
    fn saving_always_leaves_a_draft_and_retired_questions_are_reopened_first() {
        for from in [S::Draft, S::InReview, S::Published] {
            assert_eq!(next(Some(from), A::Edit, req(1, None, true)), Ok(S::Draft));
            assert_eq!(
                next(Some(from), A::Revert, req(1, None, true)),
                Ok(S::Draft)
            );
        }
        assert_eq!(
            next(Some(S::Retired), A::Edit, req(1, None, true)),
            Err(Refusal::RetiredEdit)
        );
        assert_eq!(
            next(Some(S::Retired), A::Reopen, req(1, None, true)),
            Ok(S::Draft)
        );
    }

    #[test]
    fn refusals_name_the_action_and_the_state() {
        let e = next(Some(S::Published), A::Approve, req(2, Some(1), true)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "“approve” is not possible for a question that is published"
        );
    }

    fn status() -> impl Strategy<Value = S> {
        prop::sample::select(S::ALL.to_vec())
    }
    fn action() -> impl Strategy<Value = A> {
        prop::sample::select(A::ALL.to_vec())
    }

    proptest! {
        /// Whatever happens, a question becomes published only through an approval, and never
        /// by the author of its version when a second approval is required.
        #[test]
        fn only_an_approval_by_someone_else_publishes(
            from in status(), act in action(), actor in 0u8..3, author in proptest::option::of(0u8..3), second: bool
        ) {
            if let Ok(to) = next(Some(from), act, req(actor, author, second)) {
                if to == S::Published {
                    prop_assert_eq!(act, A::Approve);
                    prop_assert_eq!(from, S::InReview);
                    prop_assert!(!(second && author == Some(actor)));
                }
                // The buttons a page offers are exactly the transitions that succeed (saves aside).
                if !matches!(act, A::Edit | A::Revert | A::Create) {
                    prop_assert!(offered(from).contains(&act));
                }
            } else if !matches!(act, A::Edit | A::Revert | A::Create | A::Approve) {
                prop_assert!(!offered(from).contains(&act));
            }
        }
    }
}
