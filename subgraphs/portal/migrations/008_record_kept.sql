-- Closes what 007 left open. Marking a citizen's application as the seed's would exempt its record
-- from 007's rules: only the seed's own inserts carry the mark. Whose application it is and what it
-- is for never change. And the time it last changed moves only with an event, like its status.

CREATE FUNCTION refuse_rewriting_an_application() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.seeded THEN
    RETURN NEW;
  END IF;
  IF NEW.seeded OR NEW.id <> OLD.id OR NEW.dni <> OLD.dni OR NEW.procedure_slug <> OLD.procedure_slug OR NEW.submitted_at <> OLD.submitted_at THEN
    RAISE EXCEPTION 'application % keeps whose it is, what it is for and when it was submitted', OLD.id
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER applications_keep_what_they_are
  BEFORE UPDATE ON applications
  FOR EACH ROW EXECUTE FUNCTION refuse_rewriting_an_application();

DROP TRIGGER applications_change_with_an_event ON applications;
CREATE CONSTRAINT TRIGGER applications_change_with_an_event
  AFTER INSERT OR UPDATE OF status, updated_at ON applications
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION refuse_an_application_change_without_event();
