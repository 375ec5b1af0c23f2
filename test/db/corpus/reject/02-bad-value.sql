-- expect-error-line: 4
CREATE TABLE a (id int);
INSERT INTO a VALUES (1);
INSERT INTO a VALUES ('x');
