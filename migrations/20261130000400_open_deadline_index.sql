-- The sweeper's index of open attempts by deadline was partial on `status = 'in_progress'` only,
-- so every query naming that status (a save's `id = $1 AND user_id = $2 AND status =
-- 'in_progress'`, the open-mock lookup) could use it. With statistics taken while no attempt was
-- open, the index looks empty and a generic plan picked it over the primary key: under load each
-- save then walked every open attempt (measured: 4,580 index entries per scan with 15,000 mocks
-- open). Its predicate now also needs `deadline_at IS NOT NULL`, which only the sweeper's query
-- states (practice sets have no deadline and are never swept), so no per-candidate query can
-- choose it whatever the statistics say.
DROP INDEX attempts_open_deadline_idx;
CREATE INDEX attempts_open_deadline_idx ON attempts (deadline_at)
    WHERE status = 'in_progress' AND deadline_at IS NOT NULL;
