CREATE TABLE ce (a text);
COPY ce FROM stdin;
\.
COPY ce FROM stdin;
only-row
