CREATE TABLE public.users (id int);
INSERT INTO public.users VALUES (1);
VACUUM ANALYZE public.users;
ANALYZE public.users;
