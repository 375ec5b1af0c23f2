CREATE TABLE pa (id int CHECK (id > 0), v text DEFAULT (';'));
INSERT INTO pa VALUES ((1), (';'));
