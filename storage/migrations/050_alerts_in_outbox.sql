-- Safety-alert deliveries become outbox rows (lane 4), sent by the one sender like every
-- other message the bot sends on its own. A row knows its broadcast; a person gets each
-- broadcast at most once (the unique index). A person who blocked the bot is a failed row
-- whose reason starts 'unreachable: ' (the broadcast's figures count those apart).
ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES broadcasts(id);
CREATE UNIQUE INDEX outbox_one_alert ON outbox(broadcast_id, chat_id)
    WHERE broadcast_id IS NOT NULL;
-- The alert lane takes rows by when they fall due; the other lanes never see them.
CREATE INDEX outbox_alerts_due ON outbox(next_attempt_at, id)
    WHERE status = 'queued' AND broadcast_id IS NOT NULL;
CREATE INDEX outbox_by_broadcast ON outbox(broadcast_id, status)
    WHERE broadcast_id IS NOT NULL;
CREATE INDEX outbox_alerts_by_chat ON outbox(chat_id) WHERE broadcast_id IS NOT NULL;
DROP INDEX outbox_queued;
CREATE INDEX outbox_queued ON outbox(chat_id, id)
    WHERE status = 'queued' AND broadcast_id IS NULL;

INSERT INTO outbox(lane, chat_id, kind, payload, status, attempts, next_attempt_at,
                   created_at, sent_at, sent_chat_id, reason, broadcast_id)
SELECT 4, d.user_id, 'alert', '{"language": "' || d.language || '"}',
       CASE d.status WHEN 'blocked' THEN 'failed' ELSE d.status END,
       d.attempts, d.next_attempt, b.created_at, d.sent_at,
       CASE d.status WHEN 'sent' THEN d.user_id END,
       CASE d.status WHEN 'blocked' THEN 'unreachable: ' || COALESCE(d.error, '')
                     ELSE d.error END,
       d.broadcast_id
FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
ORDER BY d.broadcast_id, d.next_attempt, d.user_id;
DROP TABLE deliveries;
