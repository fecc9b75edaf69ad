SELECT * FROM retention_matrix(period => 'week', start_event => 'sign_up', return_event => '*', from => '2026-10-01', to => '2026-11-01')
