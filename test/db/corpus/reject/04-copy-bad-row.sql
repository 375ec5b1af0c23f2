-- expect-error-line: 6
CREATE TABLE a (id int);
COPY a FROM stdin;
1
2
x
\.
