-- A failure row is written before a password is checked (so parallel guesses count against the
-- account), marked pending until the check fails. Pending rows count against the account, not
-- against the client address: correct sign-ins arriving together from one address (a classroom
-- behind NAT) must not lock each other out. A pending row older than a minute belongs to a
-- request that died and counts as a failure.
ALTER TABLE login_failures ADD COLUMN pending boolean NOT NULL DEFAULT false;
