// The JavaScript MVT encoder for backends whose PostGIS cannot encode (PGlite): rows already clipped,
// scaled to tile units and snapped by clippedTileSql become one MVT layer through @maplibre/vt-pbf.
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { EXTENT } from './sql.ts';

type Ring = [number, number][];
type TileFeature =
  | { id: number; type: 1; tags: Record<string, unknown>; geometry: [number, number][] }
  | { id: number; type: 2 | 3; tags: Record<string, unknown>; geometry: Ring[] };

interface TileGeometry {
  type: string;
  coordinates: unknown;
}

/** Twice the surveyor's-formula area in tile units (y down), as the MVT spec computes it. */
function signedArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return sum;
}

/** MVT 2.1: an exterior ring has positive area (clockwise on screen), its holes negative. */
function orient(ring: Ring, exterior: boolean): Ring {
  return (signedArea(ring) > 0) === exterior ? ring : [...ring].reverse();
}

function toTileFeature(id: number, tags: Record<string, unknown>, g: TileGeometry): TileFeature | undefined {
  switch (g.type) {
    case 'Point':
      return { id, type: 1, tags, geometry: [g.coordinates as [number, number]] };
    case 'MultiPoint':
      return { id, type: 1, tags, geometry: g.coordinates as [number, number][] };
    case 'LineString':
      return { id, type: 2, tags, geometry: [g.coordinates as Ring] };
    case 'MultiLineString':
      return { id, type: 2, tags, geometry: g.coordinates as Ring[] };
    case 'Polygon':
    case 'MultiPolygon': {
      const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as Ring[][];
      const rings = polygons.flatMap((rs) => rs.map((ring, i) => orient(ring, i === 0)));
      return rings.length ? { id, type: 3, tags, geometry: rings } : undefined;
    }
    default:
      return undefined;
  }
}

/** Rows of { id, …attributes, geom: GeoJSON text in tile units } → one encoded MVT layer. */
export function encodeLayer(name: string, rows: Record<string, unknown>[]): Uint8Array {
  const features: TileFeature[] = [];
  for (const { id, geom, ...attributes } of rows) {
    const tags: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(attributes)) if (v !== null && v !== undefined) tags[k] = v;
    const feature = toTileFeature(Number(id), tags, JSON.parse(geom as string) as TileGeometry);
    if (feature) features.push(feature);
  }
  if (features.length === 0) return new Uint8Array(0); // as ST_AsMVT: an empty layer is no bytes at all
  return fromGeojsonVt({ [name]: { features } } as never, { version: 2, extent: EXTENT });
}
