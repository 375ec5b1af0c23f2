CREATE TABLE dl (a$b int, "c$d$" int);
INSERT INTO dl VALUES (1, 2);
SELECT a$b FROM dl;
