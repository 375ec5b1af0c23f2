CREATE TABLE a (id int, name text);
CREATE VIEW v AS SELECT id, upper(name) AS name FROM a WHERE id > 0;
COMMENT ON TABLE a IS 'the ; table';
COMMENT ON COLUMN a.name IS E'multi\nline';
CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM a;
