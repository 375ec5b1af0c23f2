CREATE TABLE public.users (
  uuid uuid DEFAULT gen_random_uuid() PRIMARY KEY,
  display_name text NOT NULL,
  handle text NOT NULL UNIQUE,
  created_at timestamp DEFAULT current_timestamp NOT NULL
);
CREATE TABLE public.activities (
  uuid uuid DEFAULT gen_random_uuid() PRIMARY KEY,
  user_uuid uuid NOT NULL REFERENCES public.users (uuid),
  message text NOT NULL,
  replies_count integer DEFAULT 0
);
