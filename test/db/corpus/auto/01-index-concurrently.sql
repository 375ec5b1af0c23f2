CREATE TYPE mood AS ENUM ('happy');
CREATE TABLE public.activities (id serial PRIMARY KEY, user_uuid uuid, m mood);
CREATE INDEX CONCURRENTLY activities_user_idx ON public.activities (user_uuid);
INSERT INTO public.activities (user_uuid) VALUES (NULL);
