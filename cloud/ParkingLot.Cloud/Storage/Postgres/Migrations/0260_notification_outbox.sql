-- The e-mail outbox (Notifications/): one row per moment a driver is told about, unique per
-- (kind, subject id) so enqueueing a moment twice sends once. A sender claims due rows with
-- FOR UPDATE SKIP LOCKED and writes its lease (owner, until) before it sends, so two cloud
-- instances never send one row at once. The same table as Sqlite/Migrations/0260_notification_outbox.sql.
CREATE TABLE notification_outbox (
    message_id       uuid PRIMARY KEY,
    kind             text NOT NULL,
    subject_id       text NOT NULL,
    booking_id       uuid NOT NULL,
    recipient        text NOT NULL,
    subject          text NOT NULL,
    text_body        text NOT NULL,
    html_body        text NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_owner      text,
    lease_until      timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    CONSTRAINT notification_outbox_once UNIQUE (kind, subject_id)
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE status = 'pending';
