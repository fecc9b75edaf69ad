-- Hash and encoding functions that ClickHouse 18.16 has with modern semantics: sipHash64,
-- cityHash64, murmurHash2/3, MD5/SHA1/SHA256 through hex, hex/unhex of strings and unsigned
-- integers, intDivOrZero, bitAnd/bitOr/bitXor/bitShift*, gcd/lcm. Bucketing users into
-- experiment groups is the use these serve (sipHash64(user_id) % 100).

-- name: sip_hash_constants
SELECT sipHash64('') AS e, sipHash64('abc') AS a, sipHash64(1) AS one, sipHash64(toUInt64(1)) AS one64, sipHash64('a', 1, 2.5) AS mixed

-- name: city_hash_lengths
SELECT cityHash64('abc') AS a, cityHash64('0123456789abcdefg') AS l17, cityHash64('0123456789abcdef0123456789abcdef01234') AS l37, cityHash64('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefxyz') AS l147

-- name: city_hash_numbers
SELECT cityHash64(1) AS one, cityHash64(-1) AS minus_one, cityHash64(toInt64(-1)) AS minus_one64, cityHash64(2.5) AS f, cityHash64('a', 1, 'b') AS mixed

-- name: murmur_hashes
SELECT murmurHash2_32('abcdefg') AS m2, murmurHash2_64('abcdefghijk') AS m64, murmurHash3_32('abcdefg') AS m3, murmurHash3_64('abcdefghijklmnopqrs') AS m364, murmurHash2_32('a', 'b') AS c2, murmurHash3_64('a', 'b') AS c3

-- name: digests_hex
SELECT hex(MD5('abc')) AS md5, hex(SHA1('abc')) AS sha1, hex(SHA256('abc')) AS sha256, hex(MD5('')) AS md5_empty

-- name: experiment_buckets
SELECT sipHash64(user_id) % 10 AS bucket, uniqExact(user_id) AS users, count() AS events
FROM events
GROUP BY bucket
ORDER BY bucket

-- name: hash_modulo_unsigned
SELECT sipHash64('u1') % 100 AS a, intDiv(sipHash64('abc'), 3) AS b, cityHash64('abc') % 7 AS c

-- name: hash_columns
SELECT user_id, cityHash64(user_id) AS c, sipHash64(user_id, event_type) AS s, murmurHash3_32(user_id) AS m, hex(MD5(user_id)) AS md5
FROM events
WHERE user_id IN (SELECT user_id FROM events ORDER BY user_id LIMIT 3)
GROUP BY user_id, event_type
ORDER BY user_id, event_type

-- name: hash_of_times
SELECT sipHash64(toDate(event_time)) AS d, cityHash64(toDateTime(event_time)) AS t, count() AS n
FROM events
GROUP BY d, t
ORDER BY n DESC, d, t
LIMIT 5

-- name: hex_unhex
SELECT hex(255) AS a, hex(256) AS b, hex(0) AS z, hex('MUA') AS s, hex(toDate('2019-01-01')) AS d, unhex('4D5541') AS u, unhex(hex('round trip')) AS rt

-- name: hex_of_columns
SELECT platform, hex(platform) AS h, unhex(hex(platform)) AS back
FROM events
GROUP BY platform
ORDER BY platform

-- name: bits
SELECT bitAnd(12, 10) AS a, bitOr(12, -10) AS o, bitXor(toUInt8(12), toInt16(10)) AS x, bitNot(toUInt8(1)) AS n, bitShiftLeft(toUInt8(1), 7) AS l, bitShiftRight(-8, 1) AS r

-- name: or_zero_gcd
SELECT intDivOrZero(7, 0) AS z, intDivOrZero(7, 2) AS d, gcd(12, 18) AS g, lcm(4, 6) AS l

-- name: is_nan_finite
SELECT isNaN(0 / 0) AS n, isFinite(1 / 0) AS f, isInfinite(-1 / 0) AS i, isNaN(1) AS n1
