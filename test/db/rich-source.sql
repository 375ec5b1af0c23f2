-- A database with one of each kind pg_dump writes: the differential test dumps it (schema, data as COPY).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TYPE public.mood AS ENUM ('happy', 'sad', 'excited');
CREATE DOMAIN public.handle AS text CHECK (VALUE ~ '^[a-z0-9_]+$');
CREATE TABLE public.users (
  uuid uuid DEFAULT gen_random_uuid() PRIMARY KEY,
  display_name text NOT NULL,
  handle public.handle NOT NULL UNIQUE,
  email text,
  cognito_user_id text,
  mood public.mood DEFAULT 'happy',
  created_at timestamp DEFAULT '2026-01-01 00:00:00' NOT NULL
);
CREATE TABLE public.activities (
  id serial PRIMARY KEY,
  user_uuid uuid NOT NULL REFERENCES public.users (uuid) ON DELETE CASCADE,
  message text NOT NULL,
  replies_count integer DEFAULT 0,
  updated_at timestamp
);
CREATE INDEX activities_user_idx ON public.activities (user_uuid);
COMMENT ON TABLE public.activities IS 'cruds; the posts';
COMMENT ON COLUMN public.users.handle IS E'unique\nlower case';
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := '2026-01-02';
  RETURN NEW;
END;
$$;
CREATE TRIGGER activities_touch BEFORE UPDATE ON public.activities FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE FUNCTION public.activity_count(p_user uuid) RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM public.activities WHERE user_uuid = p_user;
END;
CREATE PROCEDURE public.reply(p_id integer) LANGUAGE sql
BEGIN ATOMIC
  UPDATE public.activities SET replies_count = replies_count + 1 WHERE id = p_id;
END;
CREATE VIEW public.home AS
  SELECT a.id, u.handle, a.message, public.activity_count(u.uuid) AS total
  FROM public.activities a JOIN public.users u ON u.uuid = a.user_uuid;
COMMENT ON VIEW public.home IS 'home feed';
INSERT INTO public.users (uuid, display_name, handle, email, cognito_user_id, mood) VALUES
  ('00000000-0000-0000-0000-000000000001', 'Andrew Brown', 'andrewbrown', 'andrew@example.com', 'MOCK', 'happy'),
  ('00000000-0000-0000-0000-000000000002', E'Tab\tand\\backslash', 'tabs', NULL, NULL, 'sad'),
  ('00000000-0000-0000-0000-000000000003', 'Ünïcødé 日本語 😀', 'unicode', E'line\nbreak', '\N', NULL);
INSERT INTO public.activities (user_uuid, message) VALUES
  ('00000000-0000-0000-0000-000000000001', 'This was imported as seed data!'),
  ('00000000-0000-0000-0000-000000000002', E'a\tb\\c\r\nd'),
  ('00000000-0000-0000-0000-000000000003', '\.');
CALL public.reply(1);
