-- Each app process keeps an exam's calibrated bank (its versions, their parameters and the model
-- of a fresh form under the blueprint) and builds it again only when the exam's bank revision
-- moved. A new calibration run and a new blueprint now move it too, in the same transaction.
CREATE FUNCTION exams_calibration_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE exams SET bank_revision = bank_revision + 1 WHERE id = NEW.exam_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER calibration_runs_written AFTER INSERT OR UPDATE ON calibration_runs
    FOR EACH ROW EXECUTE FUNCTION exams_calibration_changed();

CREATE FUNCTION exams_blueprint_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.blueprint IS DISTINCT FROM OLD.blueprint THEN
        NEW.bank_revision := OLD.bank_revision + 1;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER exams_blueprint_updated BEFORE UPDATE OF blueprint ON exams
    FOR EACH ROW EXECUTE FUNCTION exams_blueprint_changed();
