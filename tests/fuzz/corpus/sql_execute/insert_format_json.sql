INSERT INTO releases FORMAT JSONEachRow
{"app_version":"9.9","platform":"ios","released":"2026-11-01","notes":null,"tags":["a"]}
{"app_version":"bad"}