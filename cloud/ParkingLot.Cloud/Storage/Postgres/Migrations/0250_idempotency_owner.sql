-- The owner token of an idempotency claim: a random value per request that claimed the key. Only
-- that owner completes or releases the claim (IdempotencyFilter), so a request that outlived its
-- lock cannot overwrite or free the claim a retry took over. Rows from before this column are
-- completed ones or stale claims; '' matches no owner.
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT NOT NULL DEFAULT '';
