-- Loyalty (the same tables as the other store's 0201_loyalty.sql). An append-only points ledger:
-- earned per paid amount, redeemed at payment (negative), restored when a payment using them fails
-- or is refunded, reversed when a paid booking is refunded. The balance is the sum; nothing is ever
-- updated or deleted (the triggers refuse it).
CREATE TABLE loyalty_ledger (
    entry_id     TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    booking_id   TEXT NOT NULL,
    payment_id   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('earned', 'redeemed', 'restored', 'reversed')),
    points       INTEGER NOT NULL CHECK (points <> 0),
    created_at   TEXT NOT NULL
);
CREATE INDEX loyalty_ledger_by_user ON loyalty_ledger (user_id, created_at);

-- What a payment was discounted by: the tier's percentage and the points redeemed (1 point = 1 minor unit).
-- amount_minor stays what was charged.
ALTER TABLE payments ADD COLUMN tier_discount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN points_redeemed INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER loyalty_ledger_no_update BEFORE UPDATE ON loyalty_ledger
BEGIN SELECT RAISE(ABORT, 'loyalty_ledger is append-only'); END;
CREATE TRIGGER loyalty_ledger_no_delete BEFORE DELETE ON loyalty_ledger
BEGIN SELECT RAISE(ABORT, 'loyalty_ledger is append-only'); END;
