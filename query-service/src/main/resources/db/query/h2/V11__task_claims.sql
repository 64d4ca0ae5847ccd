-- Claims of tasks (TaskClaimedEvent, TaskLeaseRenewedEvent, TaskReleasedEvent, TaskClaimExpiredEvent).
-- claimed_by and lease_expires_at are null while the task is not claimed.
ALTER TABLE tasks ADD COLUMN claimed_by VARCHAR(255);
ALTER TABLE tasks ADD COLUMN lease_expires_at TIMESTAMP(6) WITH TIME ZONE;
ALTER TABLE tasks ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
