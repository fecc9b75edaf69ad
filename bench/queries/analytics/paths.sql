SELECT * FROM paths(start_event => 'app_open', steps => 5, from => '2026-10-01', to => '2026-11-01') LIMIT 50
