-- Targets for scripts/pgbench-save.sql: one open full mock per pgbench client (n = 1, 2, …),
-- taken from the mocks `loadgen saves` left open.
DROP TABLE IF EXISTS pgbench_save_targets;
CREATE TABLE pgbench_save_targets AS
    SELECT row_number() OVER (ORDER BY started_at DESC) AS n, id AS attempt_id, user_id
    FROM attempts WHERE status = 'in_progress' AND mode = 'exam'
    ORDER BY started_at DESC LIMIT 256;
CREATE UNIQUE INDEX ON pgbench_save_targets (n);
ANALYZE pgbench_save_targets;
SELECT count(*) AS targets FROM pgbench_save_targets;
