CREATE TABLE "Ünïcode ; table" ("naïve" text);
INSERT INTO "Ünïcode ; table" VALUES ('日本語 ; 😀');
