SELECT count(), round(avg(duration_s), 2) FROM sessions
