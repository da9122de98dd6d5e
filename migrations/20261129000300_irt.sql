-- mockexam schema: item calibration (IRT) and the adaptive readiness check.

-- A third kind of attempt: the adaptive check, whose items are chosen one at a time.
ALTER TABLE attempts DROP CONSTRAINT IF EXISTS attempts_mode_check;
ALTER TABLE attempts ADD CONSTRAINT attempts_mode_check
    CHECK (mode IN ('exam', 'practice', 'check'));

-- One open check per candidate and exam; starting another resumes it.
CREATE UNIQUE INDEX attempts_one_open_check ON attempts (user_id, exam_id)
    WHERE status = 'in_progress' AND mode = 'check';

-- Item parameters per question version (an edit is a new question to calibrate). `steps` are the
-- GPCM step difficulties, one per point; `b` is their mean. `source` says whether the figures
-- were fitted from responses or are the prior of the question's kind and objective (too few
-- responses). Rasch figures come from the fit with one shared discrimination.
CREATE TABLE item_calibrations (
    question_version_id uuid PRIMARY KEY REFERENCES question_versions (id) ON DELETE CASCADE,
    exam_id             uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    a                   double precision NOT NULL CHECK (a > 0),
    b                   double precision NOT NULL,
    steps               double precision[] NOT NULL,
    se_a                double precision,
    se_b                double precision,
    rasch_b             double precision,
    rasch_se_b          double precision,
    responses           integer NOT NULL DEFAULT 0,
    source              text NOT NULL CHECK (source IN ('fitted', 'prior')),
    fitted_at           timestamptz NOT NULL DEFAULT now()
);
-- The readiness report and the check load one exam's parameters at a time.
CREATE INDEX item_calibrations_exam_idx ON item_calibrations (exam_id);

-- The last calibration of each exam: how many scored responses it used, so that a refresh runs
-- only when enough new responses have arrived.
CREATE TABLE calibration_runs (
    exam_id    uuid PRIMARY KEY REFERENCES exams (id) ON DELETE CASCADE,
    responses  bigint NOT NULL,
    patterns   bigint NOT NULL,
    iterations integer NOT NULL,
    converged  boolean NOT NULL,
    fitted_at  timestamptz NOT NULL DEFAULT now()
);

-- Exposure control of the check counts how often each question was shown in recent checks.
CREATE INDEX attempts_exam_mode_idx ON attempts (exam_id, mode, started_at DESC);
