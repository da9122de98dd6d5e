-- Every change to what an attempt start draws from (an exam's questions, objectives and
-- scenarios) moves the exam's bank revision in the same transaction, so each app process can keep
-- the live bank in memory and tell from the exam row, which every start reads anyway, whether its
-- copy is current. One UPDATE of the exam per statement (transition tables), not per row.
ALTER TABLE exams ADD COLUMN bank_revision bigint NOT NULL DEFAULT 0;

CREATE FUNCTION exams_bank_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE exams SET bank_revision = bank_revision + 1
    WHERE id IN (SELECT DISTINCT exam_id FROM changed);
    RETURN NULL;
END
$$;

CREATE TRIGGER questions_inserted AFTER INSERT ON questions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
CREATE TRIGGER questions_updated AFTER UPDATE ON questions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
CREATE TRIGGER questions_deleted AFTER DELETE ON questions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
CREATE TRIGGER objectives_inserted AFTER INSERT ON objectives
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
CREATE TRIGGER objectives_updated AFTER UPDATE ON objectives
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
CREATE TRIGGER objectives_deleted AFTER DELETE ON objectives
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
CREATE TRIGGER scenarios_inserted AFTER INSERT ON scenarios
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
CREATE TRIGGER scenarios_updated AFTER UPDATE ON scenarios
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
CREATE TRIGGER scenarios_deleted AFTER DELETE ON scenarios
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION exams_bank_changed();
