-- The e-mail outbox (Notifications/): one row per moment a driver is told about, unique per
-- (kind, subject id) so enqueueing a moment twice sends once. A sender claims a due row by writing
-- its lease (owner, until) before it sends, so two cloud instances never send one row at once.
-- Times are Unix milliseconds, as the booking windows of the embedded store. The same table as
-- Postgres/Migrations/0260_notification_outbox.sql.
CREATE TABLE notification_outbox (
    message_id       TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    booking_id       TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_until_ms   INTEGER,
    last_error       TEXT,
    created_ms       INTEGER NOT NULL,
    sent_ms          INTEGER,
    UNIQUE (kind, subject_id)
) WITHOUT ROWID;
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_ms);
