SELECT length([1, 2, 3]) AS len, has([1, 2, 3], 2) AS has2, has(['a', 'b'], 'c') AS hasc,
       indexOf([5, 6, 7], 7) AS idx, [10, 20, 30][2] AS second, arrayElement(['x', 'y'], 1) AS first