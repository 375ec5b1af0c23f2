CREATE TABLE sb (id serial, v text);
INSERT INTO sb (v) VALUES ('a');
CREATE INDEX CONCURRENTLY sb_v ON sb (v);
INSERT INTO sb (v) VALUES ('b');
