CREATE TYPE pair AS (a int, b text);
CREATE TABLE ar (p pair, tags text[]);
INSERT INTO ar VALUES (ROW(1, 'x;y'), ARRAY['a', 'b;c']);
COPY ar FROM stdin;
(2,"q r")	{x,"y z"}
\.
