SELECT replaceRegexpAll('2026-10-05', '(\\d+)-(\\d+)-(\\d+)', '\\3/\\2/\\1') AS dmy,
       replaceRegexpOne('aaa', 'a', 'b') AS one, replaceRegexpAll('aaa', 'a', 'b') AS all_