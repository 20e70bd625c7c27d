// One version of a feature's history in people's words, for both lists of it (the editor's and the
// history panel): who by their display name (the login when the account has none), the changed
// fields by their titles, a restore as "恢复到第 1 版".
import type { HistoryEntry } from '../../../geo/api.ts';
import { fieldName } from '../i18n/errors.ts';
import { i18n, t } from '../i18n/i18n.svelte.ts';

type Entry = Pick<HistoryEntry, 'changedBy' | 'changedByName' | 'changed' | 'reason' | 'restoredFrom'>;

/** who wrote it: the account's display name, else its login (or the tool's name) */
export const authorOf = (v: Entry): string => v.changedByName || v.changedBy;

/** the changed fields by their titles (the shape as 图形), in the interface's language */
export const changedOf = (v: Entry): string => v.changed.map((k) => fieldName(k, i18n.lang)).join(t('listSep'));

/** what the version says of itself: a restore, and the reason given with it */
export function reasonOf(v: Entry): string | null {
  const restored = v.restoredFrom != null ? t('histRestored', { v: v.restoredFrom }) : null;
  if (restored && v.reason) return `${restored}${i18n.lang === 'zh' ? '；' : '; '}${v.reason}`;
  return restored ?? v.reason;
}
