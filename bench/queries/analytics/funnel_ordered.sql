SELECT * FROM funnel(steps => ['app_open', 'view_item', 'add_to_cart', 'purchase'], window => INTERVAL 1 DAY, from => '2026-10-01', to => '2026-11-01')
