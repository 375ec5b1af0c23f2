CREATE TABLE public.users (display_name text, handle text, email text, cognito_user_id text);
COPY public.users (display_name, handle, email, cognito_user_id) FROM stdin;
Andrew Brown	andrewbrown	andrew@example.com	MOCK
Tab\there	back\\slash	\N	üñí😀
\.
SELECT count(*) FROM public.users;
