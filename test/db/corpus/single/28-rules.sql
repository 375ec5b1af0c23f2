CREATE TABLE log (msg text);
CREATE TABLE src (id int);
CREATE RULE src_log AS ON INSERT TO src DO ALSO INSERT INTO log VALUES ('inserted ' || NEW.id);
INSERT INTO src VALUES (1);
