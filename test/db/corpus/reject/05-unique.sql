-- expect-error-line: 4
CREATE TABLE a (id int PRIMARY KEY);
INSERT INTO a VALUES (1);
INSERT INTO a VALUES (1);
