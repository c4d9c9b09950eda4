-- An application's record is append-only, and nothing changes an application without an event on it
-- (issue #8): enforced here, not only by the code that writes them, so that no other path (a script,
-- a hand-written fix) can rewrite what a citizen was told. Only what the sample-data seed wrote
-- (`seeded`) may be restated, as seeding again on a later day does.

CREATE FUNCTION refuse_rewriting_an_application_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM applications WHERE id = OLD.application_id AND NOT seeded) THEN
    RAISE EXCEPTION 'the record of application % is append-only: add an event instead', OLD.application_id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER application_events_append_only
  BEFORE UPDATE OR DELETE ON application_events
  FOR EACH ROW EXECUTE FUNCTION refuse_rewriting_an_application_record();

CREATE FUNCTION refuse_an_application_change_without_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF NOT OLD.seeded THEN
      RAISE EXCEPTION 'application % cannot be deleted: its record is kept', OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF NOT NEW.seeded AND NOT EXISTS (
    SELECT 1 FROM application_events e WHERE e.application_id = NEW.id AND e.status = NEW.status AND e.at = NEW.updated_at
  ) THEN
    RAISE EXCEPTION 'application % became % with no event on its record at %', NEW.id, NEW.status, NEW.updated_at
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER applications_deleted_only_if_seeded
  BEFORE DELETE ON applications
  FOR EACH ROW EXECUTE FUNCTION refuse_an_application_change_without_event();

-- Checked at commit: the store writes the application and its event in one transaction.
CREATE CONSTRAINT TRIGGER applications_change_with_an_event
  AFTER INSERT OR UPDATE OF status ON applications
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION refuse_an_application_change_without_event();
