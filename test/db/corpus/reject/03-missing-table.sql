-- expect-error-line: 5
CREATE TABLE a (id int);
SELECT 1;
INSERT INTO a
  SELECT id FROM nothere;
