SELECT * FROM crash_health(from => '2026-10-01', to => '2026-11-01')
