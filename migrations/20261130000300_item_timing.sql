-- Time on item, for the item analysis's median time per question.
--
-- The server measures it from page requests, so it works with or without JavaScript and cannot
-- be forged by a client clock: opening an item (or the review screen, or submitting) credits the
-- time since the previous item page was opened to that item, capped per stint (see
-- db::attempts::track_viewing). A candidate who comes back to a question adds to its total.

-- Seconds spent on the item so far. NULL for items of attempts taken before this was recorded
-- and for anonymised attempts (privacy removes per-item times): NULL means "not known", never 0.
-- Existing rows keep NULL; rows inserted from now on start at 0.
ALTER TABLE attempt_items ADD COLUMN seconds_on_item double precision;
ALTER TABLE attempt_items ALTER COLUMN seconds_on_item SET DEFAULT 0;

-- The item page the candidate has open, and since when: the next page request credits the
-- time in between to it. NULL when no item page is open (review screen, submitted).
ALTER TABLE attempts ADD COLUMN viewing_position integer;
ALTER TABLE attempts ADD COLUMN viewing_since timestamptz;

-- The analysis reads an exam's submitted full mocks; "each candidate's first attempt" is a
-- DISTINCT ON (user_id) over them in start order, which this index serves without a sort of
-- every attempt of the exam.
CREATE INDEX attempts_exam_submitted_mocks_idx ON attempts (exam_id, user_id, started_at, id)
    WHERE mode = 'exam' AND status = 'submitted';
