\set ON_ERROR_STOP on
\encoding UTF8
\echo loading ...
CREATE TABLE m (id int);
\qecho done
