-- Loyalty (the same tables as the other store's 0201_loyalty.sql). An append-only points ledger:
-- earned per paid amount, redeemed at payment (negative), restored when a payment using them fails
-- or is refunded, reversed when a paid booking is refunded. The balance is the sum; nothing is ever
-- updated or deleted (the triggers refuse it).
CREATE TABLE loyalty_ledger (
    entry_id     uuid PRIMARY KEY,
    user_id      text NOT NULL,
    booking_id   uuid NOT NULL,
    payment_id   uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('earned', 'redeemed', 'restored', 'reversed')),
    points       bigint NOT NULL CHECK (points <> 0),
    created_at   timestamptz NOT NULL
);
CREATE INDEX loyalty_ledger_by_user ON loyalty_ledger (user_id, created_at);

-- What a payment was discounted by: the tier's percentage and the points redeemed (1 point = 1 minor unit).
-- amount_minor stays what was charged.
ALTER TABLE payments ADD COLUMN tier_discount_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN points_redeemed bigint NOT NULL DEFAULT 0;

CREATE FUNCTION loyalty_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'loyalty_ledger is append-only';
END;
$$;
CREATE TRIGGER loyalty_ledger_no_change BEFORE UPDATE OR DELETE ON loyalty_ledger
    FOR EACH ROW EXECUTE FUNCTION loyalty_ledger_append_only();
