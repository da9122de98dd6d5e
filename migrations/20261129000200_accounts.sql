-- Accounts a school can run: verified addresses, disabled accounts, emailed one-time links,
-- trusted devices for sign-in, session details, an audit log of administration and rate limits
-- for registration and reset mails.

-- When the address was proven by following a mailed link (NULL: never). Accounts that existed
-- before verification was introduced were created by an operator or trusted users: verified.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at;
-- When the reminder to verify was mailed (once, a week before an unverified account is deleted).
ALTER TABLE users ADD COLUMN verify_reminded_at timestamptz;
-- A disabled account cannot sign in; its sessions were ended when it was disabled.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
-- The sweeper looks for unverified accounts by age.
CREATE INDEX users_unverified_idx ON users (created_at) WHERE email_verified_at IS NULL;
-- The admin list is searched by name and email and sorted by either.
CREATE INDEX users_display_name_idx ON users (lower(display_name));

-- One-time links mailed to a user: password reset, address verification (also of a new address
-- when the email changes: `email` holds the address the link proves) and invitations. Only the
-- SHA-256 of the random token is stored; a used or expired link answers "no longer valid".
CREATE TABLE account_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('reset', 'verify', 'invite')),
    email      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expiry_idx ON account_tokens (expires_at);

-- Sessions: a public id (for "sign out" of one session on the sessions page; the token hash never
-- leaves the server), the browser's User-Agent and address at sign-in. The absolute lifetime is
-- counted from created_at.
ALTER TABLE sessions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE sessions ADD CONSTRAINT sessions_id_key UNIQUE (id);
ALTER TABLE sessions ADD COLUMN user_agent text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ip text NOT NULL DEFAULT '';

-- Browsers that signed in to an account before (OWASP's "device cookie"): the browser holds a
-- random token in a long-lived cookie, the table its SHA-256 per account. A correct password from
-- such a browser is not held up by failures of other clients against the same account.
CREATE TABLE trusted_devices (
    token_hash   bytea NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX trusted_devices_user_idx ON trusted_devices (user_id);

-- A failure from a trusted device carries the device's token hash: it counts against that
-- device only, not against the account's other clients nor the address.
ALTER TABLE login_failures ADD COLUMN device bytea;
CREATE INDEX login_failures_device_idx ON login_failures (device, failed_at) WHERE device IS NOT NULL;

-- Who did what to which account, when. The actor's and target's emails are copied so that the
-- record survives the deletion of either account.
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_email  text NOT NULL,
    action       text NOT NULL CHECK (action IN ('invite', 'disable', 'enable', 'send_reset',
                                                 'change_role', 'delete')),
    target_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    target_email text NOT NULL,
    detail       text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- Requests limited per key over a window that are not password checks: registrations per client
-- address, reset mails per address and per account.
CREATE TABLE rate_events (
    bucket text NOT NULL,
    key    text NOT NULL,
    at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_events_key_idx ON rate_events (bucket, key, at);

-- Deleting an account keeps its submitted full mocks as anonymous rows for item statistics:
-- the owner becomes NULL (practice sets, unfinished mocks and the review schedule are deleted).
ALTER TABLE attempts ALTER COLUMN user_id DROP NOT NULL;
