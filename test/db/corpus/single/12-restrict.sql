\restrict AbCdEf123
SET statement_timeout = 0;
CREATE TABLE r (id int);
\unrestrict AbCdEf123
