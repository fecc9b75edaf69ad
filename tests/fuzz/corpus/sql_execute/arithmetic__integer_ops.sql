SELECT count() * 2 AS doubled, count() + 1 AS plus, count() - 10 AS minus, count() % 7 AS modulo, -count() AS negated
FROM events