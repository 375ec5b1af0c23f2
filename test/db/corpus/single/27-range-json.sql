CREATE TABLE rj (r int4range, j jsonb);
INSERT INTO rj VALUES ('[1,5)', '{"a": "b;c", "d": [1, 2]}');
