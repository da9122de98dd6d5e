-- Files uploaded for import in the browser, kept between the dry run and its confirmation.
-- Confirming re-reads and re-checks the stored file against the bank as it is then: the
-- browser never sends a summary back, so nothing it could alter is trusted.
CREATE TABLE import_uploads (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_id           uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    -- The instructor who uploaded it; only they can see or confirm it.
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    format            text NOT NULL CHECK (format IN ('native', 'gift', 'moodle-xml', 'qti')),
    file_name         text NOT NULL,
    content           bytea NOT NULL,
    -- Objective for questions whose file names none (NULL: such questions are problems).
    default_objective text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- Set when the import was confirmed and applied; an upload is applied at most once.
    applied_at        timestamptz,
    -- What the import changed, in words, shown on the report afterwards.
    applied_summary   text
);

-- Uploads are found by id with their owner; old ones are cleared by age.
CREATE INDEX import_uploads_created_at ON import_uploads (created_at);
