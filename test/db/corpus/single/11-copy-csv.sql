CREATE TABLE q (a text, b int, c text);
COPY q (a, b, c) FROM stdin WITH (FORMAT csv, HEADER true);
a,b,c
"quoted, comma",1,
"multi
line",2,"x ""y"""
\.
