-- The instructor's studio: exams of one's own, a review workflow per question, an audit trail
-- of every transition, who wrote each version, and a queue of candidates' feedback.

-- Exams loaded from question-bank/ files have no owner: their files are their source, so the
-- browser shows them read-only. An exam created in the browser belongs to the instructor who
-- made it; co-owners (exam_editors) may edit it too.
ALTER TABLE exams
    ADD COLUMN owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN source text NOT NULL DEFAULT 'files' CHECK (source IN ('files', 'studio')),
    -- A question is published only when an instructor other than the author of its current
    -- version approves it (on by default; an owner teaching alone may switch it off).
    ADD COLUMN second_approval boolean NOT NULL DEFAULT true;

CREATE TABLE exam_editors (
    exam_id  uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (exam_id, user_id)
);
CREATE INDEX exam_editors_user_idx ON exam_editors (user_id);
CREATE INDEX exams_owner_idx ON exams (owner_id) WHERE owner_id IS NOT NULL;

-- Workflow state of a question: draft → in_review → published → retired. Only published
-- questions enter mock forms, practice sets and checks. Everything already in the bank came
-- from reviewed files, so it starts published (or retired, where the import retired it).
ALTER TABLE questions
    ADD COLUMN status text NOT NULL DEFAULT 'published'
        CHECK (status IN ('draft', 'in_review', 'published', 'retired'));
UPDATE questions SET status = 'retired' WHERE retired;
-- The bank browser and the pools filter on the state within an exam.
CREATE INDEX questions_exam_status_idx ON questions (exam_id, status, bank_position);

-- Who wrote a version (NULL: imported from files) and why, for the history page and for the
-- second-approver rule.
ALTER TABLE question_versions
    ADD COLUMN author_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN note text NOT NULL DEFAULT '';

-- Every workflow transition and every save, with who and when. Names are copied so that an
-- entry outlives the account that made it.
CREATE TABLE question_events (
    id          bigserial PRIMARY KEY,
    exam_id     uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    question_id uuid NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_name  text NOT NULL,
    action      text NOT NULL CHECK (action IN ('create', 'edit', 'revert', 'submit', 'approve',
                                                'send_back', 'retire', 'reopen')),
    from_status text,
    to_status   text NOT NULL,
    version     integer NOT NULL,
    note        text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX question_events_exam_idx ON question_events (exam_id, at DESC, id DESC);
CREATE INDEX question_events_question_idx ON question_events (question_id, at DESC);

-- Resolving a candidate's report: who, when, what was done, and the version that fixed it.
ALTER TABLE item_feedback
    ADD COLUMN resolved_at timestamptz,
    ADD COLUMN resolved_by uuid REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN resolution text NOT NULL DEFAULT '',
    ADD COLUMN resolved_version_id uuid REFERENCES question_versions (id);
CREATE INDEX item_feedback_open_idx ON item_feedback (question_version_id) WHERE resolved_at IS NULL;
