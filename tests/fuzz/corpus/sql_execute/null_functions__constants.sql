SELECT nullIf(1, 1) AS n, nullIf(1, 2) AS one, coalesce(NULL, 2) AS c, ifNull(NULL, 'x') AS i,
       isNull(NULL) AS isn, isNotNull(1) AS isnn, assumeNotNull(toNullable(3)) AS a