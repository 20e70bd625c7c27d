-- Pending imports (issue #6): a file is parsed into a batch of features, validated and shown on the map
-- as a preview; committing writes them into the target layer in one transaction (recorded in
-- change_log by the layer's trigger) and marks the batch committed. Previews are not history.
CREATE TABLE IF NOT EXISTS import_batch (
  id            bigserial PRIMARY KEY,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  file_name     text NOT NULL,
  format        text NOT NULL,
  layer         text NOT NULL,
  source_epsg   int,                           -- the file's CRS (geometry is stored in EPSG:4490)
  crs_source    text,                          -- how it was found: prj / header / zone_prefix / coordinates / request / format
  mapping       jsonb NOT NULL DEFAULT '{}',   -- file field → layer column
  defaults      jsonb NOT NULL DEFAULT '{}',   -- column values for features that lack them (e.g. project_id)
  summary       jsonb NOT NULL DEFAULT '{}',
  status        text NOT NULL DEFAULT 'preview' CHECK (status IN ('preview', 'committed')),
  committed_at  timestamptz,
  committed_by  text
);

CREATE TABLE IF NOT EXISTS import_feature (
  batch_id      bigint NOT NULL REFERENCES import_batch(id) ON DELETE CASCADE,
  seq           int NOT NULL,                  -- order in the file (0-based)
  source_ref    text NOT NULL,                 -- 'record 12' / 'line 40' / 'feature 3'
  props         jsonb NOT NULL DEFAULT '{}',   -- attributes as in the file
  attrs         jsonb NOT NULL DEFAULT '{}',   -- mapped onto the layer's columns, values normalised
  geom          geometry(Geometry, 4490),      -- may be invalid: it is validated, not yet stored
  file_area_m2  float8,                        -- area the file states, if any
  planar_epsg   int,                           -- the Gauss–Krüger CRS that file area is measured in
  issues        jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (batch_id, seq)
);
