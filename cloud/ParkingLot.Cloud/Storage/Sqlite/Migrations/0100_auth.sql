-- Accounts and access: users, roles, rotating refresh tokens (SHA-256 only), the lots each operator
-- manages, and the vehicles on a driver's profile. The same tables as Postgres/Migrations/0100_auth.sql.
-- No foreign key from operator_lots to lots: an admin may remove and re-create a lot without
-- losing who operates it.

CREATE TABLE users (
    user_id        TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE user_roles (
    user_id  TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    role     TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
) WITHOUT ROWID;
CREATE INDEX user_roles_role ON user_roles (role);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    family_id   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE operator_lots (
    user_id  TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    lot_id   TEXT NOT NULL,
    PRIMARY KEY (user_id, lot_id)
) WITHOUT ROWID;

CREATE TABLE vehicles (
    vehicle_id    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    plate         TEXT NOT NULL,
    vehicle_type  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (user_id, plate)
) WITHOUT ROWID;
CREATE INDEX vehicles_user ON vehicles (user_id);
