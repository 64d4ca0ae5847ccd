-- Idempotency-Key reservations that cannot get stuck (README, "Idempotency-Key"; docs/reliability.md):
--   attempt      which request holds a 'pending' reservation; the command's own transaction marks the row
--                'committed' only while its attempt still holds it
--   lease_until  until when a 'pending' reservation is held; a later request with the key may take it over
--   result       the command handler's result (e.g. a created id), recorded with 'committed'
ALTER TABLE idempotency_records ADD COLUMN attempt VARCHAR(36);
ALTER TABLE idempotency_records ADD COLUMN lease_until TIMESTAMP(6) WITH TIME ZONE;
ALTER TABLE idempotency_records ADD COLUMN result VARCHAR(512);
