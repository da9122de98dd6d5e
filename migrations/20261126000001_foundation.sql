-- mockexam schema, part 1: accounts, sessions, login throttling and the question bank.
--
-- Postgres is the only state: sessions and login counters live here so that any number of app
-- processes can serve the same users.

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stored lower-cased; the unique index is what turns a second registration into a form error.
    email         text NOT NULL CONSTRAINT users_email_key UNIQUE,
    display_name  text NOT NULL,
    -- PHC string (argon2id with its parameters and salt).
    password_hash text NOT NULL,
    role          text NOT NULL DEFAULT 'candidate'
                  CHECK (role IN ('candidate', 'instructor', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- A session is a random 256-bit token held by the browser; only its SHA-256 is stored, so a
-- leaked table does not leak live sessions.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

-- Failed logins, counted per account and per client address over a sliding window.
CREATE TABLE login_failures (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    ip         text NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, failed_at);

-- An exam is its blueprint; domains and objectives are copied out of it for joins and reports.
CREATE TABLE exams (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code             text NOT NULL UNIQUE,
    slug             text NOT NULL UNIQUE,
    title            text NOT NULL,
    duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
    question_count   integer NOT NULL CHECK (question_count > 0),
    blueprint        jsonb NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE domains (
    exam_id    uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    code       text NOT NULL,
    title      text NOT NULL,
    weight_min integer NOT NULL,
    weight_max integer NOT NULL,
    position   integer NOT NULL,
    PRIMARY KEY (exam_id, code)
);

CREATE TABLE objectives (
    exam_id     uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    code        text NOT NULL,
    domain_code text NOT NULL,
    group_title text NOT NULL,
    title       text NOT NULL,
    position    integer NOT NULL,
    PRIMARY KEY (exam_id, code),
    FOREIGN KEY (exam_id, domain_code) REFERENCES domains (exam_id, code) ON DELETE CASCADE
);

-- Case studies and problem–solution series. Versioned like questions: an attempt shows the
-- version it started with even after the bank changes.
CREATE TABLE scenarios (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_id    uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    ext_id     text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('case', 'series')),
    UNIQUE (exam_id, ext_id)
);

CREATE TABLE scenario_versions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    scenario_id  uuid NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
    version      integer NOT NULL,
    content      jsonb NOT NULL,
    content_hash text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (scenario_id, version)
);

CREATE TABLE questions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    exam_id            uuid NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    ext_id             text NOT NULL,
    -- Denormalised from the current version for fast assembly queries.
    objective_code     text NOT NULL,
    kind               text NOT NULL,
    scenario_id        uuid REFERENCES scenarios (id),
    -- Order of the question inside its bank (and so inside its case study or series).
    bank_position      integer NOT NULL,
    current_version_id uuid,
    -- A question removed from the bank files is retired, never deleted: attempts point at it.
    retired            boolean NOT NULL DEFAULT false,
    UNIQUE (exam_id, ext_id)
);

-- Immutable: an edit makes a new version; attempts keep the version they showed.
CREATE TABLE question_versions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    question_id         uuid NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    version             integer NOT NULL,
    body                jsonb NOT NULL,
    content_hash        text NOT NULL,
    scenario_version_id uuid REFERENCES scenario_versions (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (question_id, version)
);

ALTER TABLE questions
    ADD CONSTRAINT questions_current_version_fk
    FOREIGN KEY (current_version_id) REFERENCES question_versions (id);
