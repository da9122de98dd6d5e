-- mockexam schema, part 3: spaced review and exam targets.

-- Leitner boxes per candidate and question. A wrong answer (any component) puts the question in
-- box 0 (due in a day); a right answer moves it up a box (3, 7, 14, 30 days); a right answer in
-- the top box retires it from review.
CREATE TABLE review_schedule (
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id      uuid NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    box              smallint NOT NULL CHECK (box BETWEEN 0 AND 4),
    due_at           timestamptz NOT NULL,
    last_reviewed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, question_id)
);
CREATE INDEX review_schedule_due_idx ON review_schedule (user_id, due_at);

-- The date a candidate plans to sit an exam, for the readiness report's on-track statement.
CREATE TABLE exam_targets (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    exam_id     uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    target_date date NOT NULL,
    PRIMARY KEY (user_id, exam_id)
);

-- Evidence for readiness is read per candidate and exam.
CREATE INDEX attempts_user_exam_idx ON attempts (user_id, exam_id, status);
-- Items whose answer was recorded into the review schedule (practice items are recorded when
-- checked, the rest when the attempt is submitted).
ALTER TABLE attempt_items ADD COLUMN reviewed_into_schedule boolean NOT NULL DEFAULT false;
