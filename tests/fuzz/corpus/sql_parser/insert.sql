DELETE FROM events WHERE user_id = 'u1'; ALTER TABLE events DELETE WHERE user_id IN ('u2', 'u3');
INSERT INTO events (user_id, event_type) FORMAT JSONEachRow
{"user_id": "u1", "event_type": "app_open"}
