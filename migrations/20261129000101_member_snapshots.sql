-- mockexam schema: cohorts, part 2. The dashboard keeps one snapshot per member and exam that
-- holds everything it shows (readiness and activity), instead of readiness alone.

-- What the dashboard last computed for a member and exam (shared by every cohort of that exam):
-- their readiness estimate, full mocks, last activity and activity per day of the last two
-- weeks, as JSON text (read whole on every view; jsonb would be converted to text each time,
-- about 50 µs a row). `mark` summarises the member's attempts as they were then (latest start
-- or submission, answers and checks in open attempts): any new work changes it, and the
-- snapshot is computed again; so is an old one (answers lose weight as they age). A dashboard
-- view thus reads one small row per member instead of every answer of the cohort.
CREATE TABLE member_snapshots (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    exam_id     uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    mark        text NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    snapshot    text NOT NULL,
    PRIMARY KEY (user_id, exam_id)
);

-- The readiness-only snapshots it replaces: a cache, recomputed on the next view.
DROP TABLE readiness_snapshots;

-- When a member last started or submitted an attempt of an exam (part of their mark) in one
-- index probe, and their attempts of the last two weeks (activity) without visiting older rows.
-- It replaces the index on submissions alone.
CREATE INDEX attempts_user_exam_touched_idx
    ON attempts (user_id, exam_id, (GREATEST(started_at, submitted_at)));
DROP INDEX attempts_user_exam_submitted_idx;
