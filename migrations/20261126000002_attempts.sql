-- mockexam schema, part 2: attempts (full mocks and practice sets) and their items.
--
-- The deadline lives here, not in the browser: every save and page compares it with now().
CREATE TABLE attempts (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    exam_id       uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    mode          text NOT NULL CHECK (mode IN ('exam', 'practice')),
    -- The assembly seed: with the bank as it was, it rebuilds the same form.
    seed          bigint NOT NULL,
    status        text NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'submitted')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    -- NULL for untimed practice.
    deadline_at   timestamptz,
    submitted_at  timestamptz,
    -- Who ended it: the candidate, the deadline seen on a request, or the background sweeper.
    submit_reason text CHECK (submit_reason IN ('candidate', 'expired', 'swept')),
    -- The case-study section the candidate is inside, if any; leaving it locks it.
    open_section  integer,
    title         text NOT NULL DEFAULT '',
    settings      jsonb NOT NULL DEFAULT '{}'::jsonb,
    points        integer,
    max_points    integer,
    scaled_score  integer,
    passed        boolean,
    domain_scores jsonb
);
CREATE INDEX attempts_user_idx ON attempts (user_id, started_at DESC);
-- The sweeper's scan: only open, timed attempts.
CREATE INDEX attempts_open_deadline_idx ON attempts (deadline_at) WHERE status = 'in_progress';
-- One full mock in progress per candidate and exam; starting another offers to resume it.
CREATE UNIQUE INDEX attempts_one_open_mock ON attempts (user_id, exam_id)
    WHERE status = 'in_progress' AND mode = 'exam';

CREATE TABLE attempt_items (
    attempt_id          uuid NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    position            integer NOT NULL CHECK (position >= 1),
    question_version_id uuid NOT NULL REFERENCES question_versions (id),
    section             integer NOT NULL,
    section_kind        text NOT NULL CHECK (section_kind IN ('standalone', 'series', 'case')),
    -- Display order of each shuffled list, e.g. {"options": ["C","A","D","B"]}.
    permutation         jsonb NOT NULL,
    response            jsonb,
    flagged             boolean NOT NULL DEFAULT false,
    -- Bumped by every save; a save based on an older revision is refused (stale tab).
    revision            integer NOT NULL DEFAULT 0,
    first_viewed_at     timestamptz,
    answered_at         timestamptz,
    -- Answered problem–solution items and left case studies cannot be reopened.
    locked              boolean NOT NULL DEFAULT false,
    -- Practice: the candidate asked to see the answer; the response is then final.
    checked             boolean NOT NULL DEFAULT false,
    points              integer,
    max_points          integer,
    PRIMARY KEY (attempt_id, position)
);
CREATE INDEX attempt_items_version_idx ON attempt_items (question_version_id);
