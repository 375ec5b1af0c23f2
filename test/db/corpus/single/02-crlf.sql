CREATE SCHEMA probe;
CREATE TABLE probe.t (id int, note text);
INSERT INTO probe.t VALUES (1, 'a'), (2, 'b');
