SELECT cohort, cohort_size, k, retained, round(pct, 4) AS p
FROM retention_matrix(from => '2026-10-01', to => '2026-10-16')
ORDER BY cohort, k