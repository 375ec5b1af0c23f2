CREATE SEQUENCE seq START 10;
CREATE TABLE s (id int DEFAULT nextval('seq'), v text);
INSERT INTO s (v) VALUES ('a'), ('b');
SELECT setval('seq', 100);
CREATE TABLE ident (id int GENERATED ALWAYS AS IDENTITY, v text);
INSERT INTO ident (v) VALUES ('x');
