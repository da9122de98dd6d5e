-- pgbench script: the save's UPDATE (db::attempts::write_answer) run straight against Postgres,
-- the ceiling the HTTP save is compared with in BENCHMARKS.md. Each pgbench client writes item 1
-- of its own open mock (as each `loadgen saves` client does), so clients never wait on each
-- other's row locks. Prepare the targets first with scripts/pgbench-save-setup.sql.
--   pgbench -n -c 32 -j 2 -T 20 -f scripts/pgbench-save.sql postgres://…/DB
-- The revision test of the real statement needs the revision the page showed; here the row's
-- own revision stands in for it (the same index probe, always true).
\set n :client_id + 1
WITH t AS (
    SELECT attempt_id, user_id FROM pgbench_save_targets WHERE n = :n
), a AS (
    SELECT at.id, at.deadline_at FROM attempts at JOIN t ON t.attempt_id = at.id
    WHERE at.user_id = t.user_id AND at.status = 'in_progress' FOR SHARE OF at
)
UPDATE attempt_items ai SET response = '{"kind": "single", "choice": "a"}'::jsonb, flagged = false,
       ruled_out = '[]'::jsonb, revision = ai.revision + 1,
       answered_at = now(), locked = ai.locked OR false
FROM a
WHERE a.id = ai.attempt_id AND ai.position = 1
  AND ai.revision = ai.revision AND NOT ai.locked AND NOT ai.checked
  AND (a.deadline_at IS NULL OR now() <= a.deadline_at + make_interval(secs => 10))
RETURNING ai.revision;
