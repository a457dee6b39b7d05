"""Background work: the outbox sender and the jobs that run beside the handlers
(follow-ups, alerts, retention, backups, the weekly report), installed in one place."""
