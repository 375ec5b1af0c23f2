\connect -reuse-previous=on
CREATE TABLE cs (id int);
