-- A signed-in browser's session is touched at most once a minute (the sliding expiry writes
-- last_seen_at and expires_at). With an index on expires_at every touch was a non-HOT update: a
-- new row version plus an entry in each of the session's four indexes, and where nothing
-- vacuums (autovacuum is off on some servers) those entries are never reclaimed: at the real
-- pace one touch for every three requests, and 313,000 touches of 50,000 sessions took the four
-- indexes from 8 to 15 MB. The purge filters on expires_at OR created_at and scans the table
-- whatever the index, so the index served nothing. Without it, and with room left on each page,
-- a touch is a HOT update: no index entry, and the old version is pruned from its page without
-- VACUUM.
DROP INDEX IF EXISTS sessions_expiry_idx;
ALTER TABLE sessions SET (fillfactor = 70);

-- The same for an attempt's item rows, updated on every save and every move (answer, revision,
-- time on item; no indexed column): a page packed full at insert has no room for the new
-- version, and then the update is non-HOT after all (11.6 % of the saves of a load run). Room on
-- each new page keeps more of them on it (4.4 % non-HOT in the same run); existing pages keep
-- their packing.
ALTER TABLE attempt_items SET (fillfactor = 90);
