SELECT a OR b AND NOT c = d || e + f * -g[1] - h % 2 / 3, x IS NOT NULL, y ILIKE 'z', (SELECT max(t) FROM events) AS m
