CREATE TYPE mood AS ENUM ('happy');
CREATE TABLE feel (id serial, m mood);
INSERT INTO feel (m) VALUES ('happy');
ALTER TYPE mood ADD VALUE 'excited';
INSERT INTO feel (m) VALUES ('excited');
