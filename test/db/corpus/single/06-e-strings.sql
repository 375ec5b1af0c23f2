CREATE TABLE s (v text);
INSERT INTO s VALUES (E'it\'s; fine'), (E'tab\there'), ('plain '';'' quote'), (U&'d\0061t\+000061');
