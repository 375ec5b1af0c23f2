CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE h (d text DEFAULT encode(digest('x', 'sha256'), 'hex'));
INSERT INTO h DEFAULT VALUES;
