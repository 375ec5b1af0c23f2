/* outer /* inner ; */ still comment ; */
CREATE TABLE c (id int); -- trailing ; comment
/* ; */ INSERT INTO c VALUES (1);
