SELECT * FROM funnel(steps => ['view_item', 'add_to_cart', 'begin_checkout', 'purchase'], order => 'strict', breakdown => platform, from => '2026-10-01', to => '2026-11-01')
