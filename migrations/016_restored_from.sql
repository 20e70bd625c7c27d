-- A restore is recorded as what it is, the version it brought back (restored_from), not as words: the
-- history shows it in the reader's language ("恢复到第 1 版"). Entries written before this said it in
-- their reason ("restore of version 1"); they are moved over, so every restore reads the same.
ALTER TABLE change_log ADD COLUMN IF NOT EXISTS restored_from int;
UPDATE change_log SET restored_from = substring(reason FROM '^restore of version (\d+)$')::int, reason = NULL
 WHERE reason ~ '^restore of version \d+$';
