-- Bad SQL: both engines must reject it (non-zero exit; MUA also prints an error on stderr).

-- name: unknown_column
-- expect-error
SELECT usr_id FROM events

-- name: unknown_table
-- expect-error
SELECT count() FROM no_such_table

-- name: syntax_error
-- expect-error
SELECT count( FROM events

-- name: unknown_function
-- expect-error
SELECT no_such_function(user_id) FROM events

-- name: aggregate_in_where
-- expect-error
SELECT count() FROM events WHERE count() > 1

-- name: column_not_grouped
-- expect-error
SELECT platform, count() FROM events GROUP BY country

-- name: trailing_garbage
-- expect-error
SELECT count() FROM events WHERE platform = 'ios' garbage garbage
