-- expect-error-line: 5
CREATE TABLE a (id int);
CREATE INDEX CONCURRENTLY a_i ON a (id);
INSERT INTO a VALUES (1);
INSERT INTO b VALUES (1);
