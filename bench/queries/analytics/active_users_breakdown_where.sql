SELECT * FROM active_users(breakdown => platform, where => 'country = ''US''', from => '2026-10-01', to => '2026-11-01')
