-- An import's update is a write like any other: it names the row it will change and the version the
-- preview saw, so a commit after someone else's edit is refused (412) instead of overwriting it.
ALTER TABLE import_feature ADD COLUMN IF NOT EXISTS target_id int;
ALTER TABLE import_feature ADD COLUMN IF NOT EXISTS target_version int;
-- previews expire (IMPORT_PREVIEW_HOURS): found by age
CREATE INDEX IF NOT EXISTS import_batch_created_idx ON import_batch (created_at) WHERE status = 'preview';
CREATE INDEX IF NOT EXISTS import_batch_owner_idx ON import_batch (created_by);
