-- URL functions where ClickHouse 18.16's results equal modern ones (URLs with a scheme and a
-- dotted host, no user:password@, a query string when there is a fragment). Where they
-- differ (domain('localhost'), a URL without scheme) tests/sqllogic/functions/url.test holds
-- the modern answers.

-- name: url_parts
SELECT protocol('https://www.shop.example.com:8443/cart/items?utm_source=mail&id=7#top') AS p, domain('https://www.shop.example.com:8443/cart/items?utm_source=mail&id=7#top') AS d, domainWithoutWWW('https://www.shop.example.com:8443/cart?id=7') AS dw, topLevelDomain('https://www.shop.example.co.uk/x') AS tld

-- name: url_paths
SELECT path('https://a.com/x/y?q=1#f') AS p, pathFull('https://a.com/x/y?q=1#f') AS pf, queryString('https://a.com/x/y?q=1&r=2#f') AS q, fragment('https://a.com/x/y?q=1#f') AS f, queryStringAndFragment('https://a.com/x?q=1#f') AS qf

-- name: url_parameters
SELECT extractURLParameter('http://a.com/?a=1&b=2&a=3#c=4', 'a') AS a, extractURLParameter('http://a.com/?a=1&b=2#c=4', 'c') AS c, extractURLParameters('http://a.com/?a=1&b=2&x#c=4&d') AS ps, extractURLParameterNames('http://a.com/?a=1&b=2&x#c=4&d') AS ns

-- name: url_cuts
SELECT cutQueryString('http://a.com/p?x=1#f') AS cq, cutFragment('http://a.com/p?x=1#f') AS cf, cutQueryStringAndFragment('http://a.com/p?x=1#f') AS cqf, cutWWW('http://www.a.com/x') AS cw, cutURLParameter('http://a.com/?a=1&b=2&c=3#g', 'b') AS cp

-- name: url_decode
SELECT decodeURLComponent('a%20b%2Bc+d%zz') AS d

-- name: url_of_columns
SELECT concat('https://www.', lower(country), '.example.com/', event_type, '?platform=', platform, '#v') AS u, domain(u) AS d, path(u) AS p, extractURLParameter(u, 'platform') AS pl, cutWWW(u) AS cw, count() AS n
FROM events
GROUP BY u
ORDER BY n DESC, u
LIMIT 5
