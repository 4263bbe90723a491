-- The scenes of the data contract. Like `principle` and `category` (v4), the
-- rows are the tool's vocabulary, written from its enumerations on every
-- read-write open, so a view joins the table instead of spelling a list that
-- a new scene would silently miss.
CREATE TABLE scene (
  scene   TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL
);

-- The treatment a policy version prescribes for a scene and reason: by
-- category when the reason is one, else by scene; 'default' where not named.
-- A reason is none (NULL), the scene's own rule, or a category.
DROP VIEW policy_treatment;
CREATE VIEW policy_treatment AS
  SELECT v.version, s.scene, r.reason,
    CASE WHEN r.reason IS NULL OR r.reason = 'scene_rule' THEN
      coalesce((SELECT treatment FROM policy_scene WHERE version = v.version AND scene = s.scene),
               (SELECT treatment FROM policy_scene WHERE version = v.version AND scene = 'default'))
    ELSE
      coalesce((SELECT treatment FROM policy_category WHERE version = v.version AND category = r.reason),
               (SELECT treatment FROM policy_category WHERE version = v.version AND category = 'default'))
    END AS treatment
  FROM policy_version v, scene s,
    (SELECT NULL AS reason UNION ALL SELECT 'scene_rule' UNION ALL SELECT category FROM category) r;
