-- Accounts and access: users, roles, rotating refresh tokens (SHA-256 only), the lots each operator
-- manages, and the vehicles on a driver's profile. The same tables as Sqlite/Migrations/0100_auth.sql.
-- No foreign key from operator_lots to lots: an admin may remove and re-create a lot without
-- losing who operates it.

CREATE TABLE users (
    user_id        uuid PRIMARY KEY,
    -- Normalised (trimmed, lower case) by the service.
    email          text NOT NULL UNIQUE,
    name           text NOT NULL,
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL
);

CREATE TABLE user_roles (
    user_id  uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    role     text NOT NULL CHECK (role IN ('driver', 'operator', 'technician', 'admin')),
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role);

CREATE TABLE refresh_tokens (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE operator_lots (
    user_id  uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    lot_id   text NOT NULL,
    PRIMARY KEY (user_id, lot_id)
);

CREATE TABLE vehicles (
    vehicle_id    uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    plate         text NOT NULL,
    vehicle_type  text NOT NULL,
    created_at    timestamptz NOT NULL,
    UNIQUE (user_id, plate)
);
CREATE INDEX vehicles_user ON vehicles (user_id);
