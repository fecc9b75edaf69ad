SELECT * FROM lifecycle(period => 'week', from => '2026-10-05', to => '2026-11-02')
