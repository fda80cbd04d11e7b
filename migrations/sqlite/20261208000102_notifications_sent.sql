-- Notifications sent once: the daily digest of a UTC day is claimed here by whoever sends it
-- first (a run's cleanup, `automaintainer notify digest`), so it goes out once per day.
CREATE TABLE notifications_sent (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
