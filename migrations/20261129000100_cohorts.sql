-- mockexam schema: cohorts. A team lead (instructor) groups candidates preparing for one exam,
-- follows their readiness on one dashboard and gives them work (assignments).

-- A cohort prepares for one exam by a target date. Candidates join with a short code (or the
-- link carrying it) until the code expires; a new code replaces the old one, and "stop
-- inviting" clears it. Codes are unique among live and expired cohorts alike, so an old link
-- never opens a different cohort.
CREATE TABLE cohorts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    exam_id         uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    target_date     date,
    join_code       text CONSTRAINT cohorts_join_code_key UNIQUE,
    join_expires_at timestamptz,
    created_by      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((join_code IS NULL) = (join_expires_at IS NULL))
);

-- Who may see and run a cohort: its creator and any co-instructors they add.
CREATE TABLE cohort_instructors (
    cohort_id uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cohort_id, user_id)
);
-- "My cohorts" of an instructor.
CREATE INDEX cohort_instructors_user_idx ON cohort_instructors (user_id);

-- Candidates in a cohort. A candidate may be in several cohorts; leaving deletes the row.
CREATE TABLE cohort_members (
    cohort_id uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cohort_id, user_id)
);
-- A candidate's cohorts (home page, leave).
CREATE INDEX cohort_members_user_idx ON cohort_members (user_id);

-- Work given to a whole cohort: a full mock, or a practice set (objectives, size, timed).
CREATE TABLE cohort_assignments (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cohort_id  uuid NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('mock', 'practice')),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- Practice sets: objective codes of the cohort's exam (empty: every skill area).
    objectives text[] NOT NULL DEFAULT '{}',
    size       integer CHECK (size IS NULL OR size BETWEEN 5 AND 60),
    timed      boolean NOT NULL DEFAULT false,
    due_at     timestamptz NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'practice') = (size IS NOT NULL))
);
CREATE INDEX cohort_assignments_cohort_idx ON cohort_assignments (cohort_id, due_at);

-- The attempt a member started for an assignment (one per member and assignment). Status and
-- results are read from the attempt itself, so nothing here goes stale.
CREATE TABLE assignment_attempts (
    assignment_id uuid NOT NULL REFERENCES cohort_assignments (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    attempt_id    uuid NOT NULL CONSTRAINT assignment_attempts_attempt_key UNIQUE
                  REFERENCES attempts (id) ON DELETE CASCADE,
    started_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assignment_id, user_id)
);
CREATE INDEX assignment_attempts_user_idx ON assignment_attempts (user_id);

-- A member's readiness as the dashboard last computed it, per exam (shared by every cohort of
-- that exam). `evidence_mark` summarises what the estimate was computed from (submitted
-- attempts and checked practice answers); when the candidate's current mark differs, or the
-- snapshot is old (answers lose weight as they age), it is computed again. The dashboard thus
-- reads one small row per member instead of every scored answer of the cohort.
CREATE TABLE readiness_snapshots (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    exam_id       uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    evidence_mark text NOT NULL,
    computed_at   timestamptz NOT NULL DEFAULT now(),
    readiness     jsonb NOT NULL,
    PRIMARY KEY (user_id, exam_id)
);

-- The dashboard's activity figures and evidence marks read members' recent and submitted
-- attempts of one exam; this index answers both without visiting older rows.
CREATE INDEX attempts_user_exam_submitted_idx ON attempts (user_id, exam_id, submitted_at)
    WHERE status = 'submitted';
