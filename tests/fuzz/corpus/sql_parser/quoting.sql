/* comment /* nested */ */ SELECT `select`, "quoted col", 'it''s', 'a\tb\x41' -- trailing
FROM `from` AS t WHERE t.x = inf OR t.y = -nan
