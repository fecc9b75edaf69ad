SELECT cohort, cohort_size, k, retained
FROM retention_matrix(from => '2026-10-01', to => '2026-10-16', period => 'week')
ORDER BY cohort, k