DROP INDEX `outbox_due_idx`;--> statement-breakpoint
DROP INDEX `outbox_case_idx`;--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox` (`next_attempt_at`) WHERE status = 'pending';