// Which parcels an export takes (导出范围): the panel's choices as one CQL2 text filter. The same text
// goes to /api/export (filter=) and to /ogc/collections/{layer}/summary for the count shown before the
// download, so the count and the file cannot disagree. Pure: the command area's projects and the map's
// view are looked up by the caller.
import { idsFilter } from '../table/cql.ts';
import { intersectsFilter } from '../map/selection.ts';

/** the longest filter the server takes (server/exchange and server/features: filter is text(8000)) */
export const MAX_FILTER = 8000;

export interface ExportScope {
  /** a project's id (red_line) */
  project?: number | null;
  /** the projects of the command area chosen (parcels carry their project, not the area); [] = none */
  areaProjects?: number[] | null;
  /** status keys; empty = any */
  status?: string[];
  /** the map's view, lon/lat [west, south, east, north] */
  view?: [number, number, number, number] | null;
  /** the map's selection (选择集) of this layer */
  ids?: number[] | null;
  /** a drawn area: a lon/lat ring */
  ring?: number[][] | null;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const fixed = (n: number) => n.toFixed(7);

/**
 * The scope as CQL2 text, its parts joined by AND ('' = every feature), or null when nothing can be in
 * it (a command area without projects, an empty selection): there is then nothing to count or export.
 */
export function scopeFilter(s: ExportScope): string | null {
  if ((s.areaProjects && !s.areaProjects.length) || (s.ids && !s.ids.length)) return null;
  const parts: string[] = [];
  if (s.project != null) parts.push(`project_id = ${Math.trunc(s.project)}`);
  if (s.areaProjects) parts.push(`project_id IN (${s.areaProjects.map((n) => Math.trunc(n)).join(',')})`);
  if (s.status?.length) parts.push(`status IN (${s.status.map(quote).join(', ')})`);
  if (s.view) parts.push(`S_INTERSECTS(geometry, BBOX(${s.view.map(fixed).join(', ')}))`);
  if (s.ids) parts.push(idsFilter(s.ids));
  if (s.ring) parts.push(intersectsFilter(s.ring));
  return parts.join(' AND ');
}
