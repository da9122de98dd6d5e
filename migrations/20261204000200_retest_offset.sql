-- How much easier a question is the second time a candidate meets it (logits), estimated with
-- each exam's calibration from sittings that hold both new and repeated questions; NULL until
-- enough repeated answers exist (the ability model then assumes 0.4).
ALTER TABLE calibration_runs ADD COLUMN retest_offset double precision,
                             ADD COLUMN retest_se double precision;
