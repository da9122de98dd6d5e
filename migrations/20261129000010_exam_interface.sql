-- Parts of the real exam's interface that need storage.

-- "Leave feedback": one comment per question of an attempt (the newest text wins), written during
-- the exam or from the score report, and kept for the instructors of the exam.
CREATE TABLE item_feedback (
    attempt_id          uuid NOT NULL,
    position            integer NOT NULL,
    question_version_id uuid NOT NULL REFERENCES question_versions (id),
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body                text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (attempt_id, position),
    FOREIGN KEY (attempt_id, position) REFERENCES attempt_items (attempt_id, position) ON DELETE CASCADE
);
CREATE INDEX item_feedback_version_idx ON item_feedback (question_version_id);

-- Breaks taken during a mock (the clock keeps running; questions seen before a break lock).
ALTER TABLE attempts ADD COLUMN breaks_taken integer NOT NULL DEFAULT 0;
