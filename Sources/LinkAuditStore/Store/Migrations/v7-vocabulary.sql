-- The scenes of the data contract, and the reasons a link may be restricted
-- for (the scene's own rule, or a category). Like `principle` and `category`
-- (v4), the rows are the tool's vocabulary, written from its enumerations on
-- every read-write open, so a view joins the table instead of spelling a
-- list that a new scene or reason would silently miss.
CREATE TABLE scene (
  scene   TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL
);
CREATE TABLE reason (
  reason    TEXT PRIMARY KEY,
  principle INTEGER REFERENCES principle
);

-- The treatment a policy version prescribes for a scene and reason: by
-- category when the reason is one (it has a principle), else by scene;
-- 'default' where not named.
-- A restriction's reason is one of `reason`; an open has none (NULL).
DROP VIEW policy_treatment;
CREATE VIEW policy_treatment AS
  SELECT v.version, s.scene, r.reason,
    CASE WHEN r.principle IS NULL THEN
      coalesce((SELECT treatment FROM policy_scene WHERE version = v.version AND scene = s.scene),
               (SELECT treatment FROM policy_scene WHERE version = v.version AND scene = 'default'))
    ELSE
      coalesce((SELECT treatment FROM policy_category WHERE version = v.version AND category = r.reason),
               (SELECT treatment FROM policy_category WHERE version = v.version AND category = 'default'))
    END AS treatment
  FROM policy_version v, scene s,
    (SELECT NULL AS reason, NULL AS principle UNION ALL SELECT reason, principle FROM reason) r;

-- Which state of a complaint is its current one is decided in one place: the
-- importer marks `complaint_state.is_current` by the rule of the `complaint`
-- view (the latest updated_at, else the later batch, else the later line),
-- and doctor checks the mark. The history reads the mark instead of ranking
-- the states again by a copy of that rule.
DROP VIEW complaint_history;
CREATE VIEW complaint_history AS
  SELECT s.complaint_id, s.batch_id, s.line, s.status, s.resolved_at AS resolved_at_utc, s.outcome,
    s.action_taken, s.updated_at AS updated_at_utc, s.is_current
  FROM complaint_state s;
