;;
CREATE TABLE es (id int);;
;
