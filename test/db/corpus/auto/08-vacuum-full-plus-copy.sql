CREATE TABLE vf (a text);
COPY vf FROM stdin;
x
y
\.
VACUUM (FULL, ANALYZE) vf;
DELETE FROM vf WHERE a = 'x';
VACUUM vf;
