CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE DOMAIN handle AS text CHECK (VALUE ~ '^[a-z0-9_]+$');
CREATE TABLE p (h handle, m mood DEFAULT 'happy');
INSERT INTO p VALUES ('andrew', 'sad');
