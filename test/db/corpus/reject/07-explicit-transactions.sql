-- expect-error-line: 7
BEGIN;
CREATE TABLE t7 (i int);
COMMIT;
BEGIN;
CREATE TABLE t8 (i int);
SELECT 1/0;
COMMIT;
