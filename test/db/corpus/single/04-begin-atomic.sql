CREATE TABLE public.activities (user_uuid uuid, message text);
CREATE FUNCTION public.activity_count(p_user uuid) RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM public.activities WHERE user_uuid = p_user;
END;
CREATE PROCEDURE public.add_activity(p_user uuid, p_message text) LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO public.activities VALUES (p_user, p_message);
  INSERT INTO public.activities VALUES (p_user, p_message || '!');
END;
CALL public.add_activity('00000000-0000-0000-0000-000000000001', 'hi');
