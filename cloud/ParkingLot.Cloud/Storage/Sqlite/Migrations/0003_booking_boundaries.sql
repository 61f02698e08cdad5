-- The sweeper asks every tick which lots have a booking starting or ending since the last tick;
-- without these it read every active booking of every lot. Same as the PostgreSQL store's
-- bookings_active_starts / bookings_active_ends.
CREATE INDEX bookings_active_starts ON bookings (start_ms) WHERE status IN ('held', 'confirmed');
CREATE INDEX bookings_active_ends ON bookings (end_ms) WHERE status IN ('held', 'confirmed');
