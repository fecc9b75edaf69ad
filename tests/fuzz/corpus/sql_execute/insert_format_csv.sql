INSERT INTO campaigns (campaign_id, name) FORMAT CSV
7,"q"
8,z