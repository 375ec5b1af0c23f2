-- expect-error-line: 3
CREATE TABLE a (id int);
CREAT TABLE b (id int);
CREATE TABLE c (id int);
