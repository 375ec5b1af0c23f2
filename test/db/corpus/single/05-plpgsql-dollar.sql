CREATE TABLE t (id int, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now(); -- a ; inside
  RETURN NEW;
END;
$$;
CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION tagged() RETURNS text LANGUAGE plpgsql AS $body$ BEGIN RETURN $x$;$$;$x$; END $body$;
