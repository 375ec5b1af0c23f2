CREATE TABLE ce (v int);
CREATE FUNCTION sign_word(x int) RETURNS text LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT CASE WHEN x > 0 THEN 'pos' WHEN x < 0 THEN 'neg' ELSE 'zero' END;
END;
INSERT INTO ce SELECT g FROM generate_series(-1, 1) g;
