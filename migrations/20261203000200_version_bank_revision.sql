-- A new question version moves its exam's bank revision too, whether or not the same
-- transaction also updates the question: each app process keeps the exam's versions (their
-- scoring shapes, for readiness) alongside the live bank and reads them again only when the
-- revision moved.
CREATE FUNCTION exams_bank_versions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE exams SET bank_revision = bank_revision + 1
    WHERE id IN (SELECT DISTINCT q.exam_id FROM changed c JOIN questions q ON q.id = c.question_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER question_versions_inserted AFTER INSERT ON question_versions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_versions_changed();
CREATE TRIGGER question_versions_updated AFTER UPDATE ON question_versions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_versions_changed();
