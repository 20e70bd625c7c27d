// Import into every layer × every kind of account, with and without the military grant: an import
// writes a layer, so only the layer's writer may upload and commit one (a red line: planners; parcels,
// houses, problems, resettlement sites: command-post editors within their areas; military land: the
// land bureau with the grant; the base map: nobody). The expectations are written out here, not
// derived from geo/roles.ts, so a wrong catalogue entry fails.
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYERS } from '../../geo/layers.ts';
import { api, useTestPool } from '../helpers/db.ts';

const pool = useTestPool();

type Account = 'anonymous' | 'norole' | 'viewer' | 'planner' | 'editor' | 'bureau' | 'admin2' | 'military' | 'tester';
const ACCOUNTS: Account[] = ['anonymous', 'norole', 'viewer', 'planner', 'editor', 'bureau', 'admin2', 'military', 'tester'];

const BUREAU: Account[] = ['bureau', 'tester'];
const ALLOWED: Record<string, Account[]> = {
  water: [], built_up: [], road: [], place: [],
  command_area: BUREAU, township: BUREAU, village: BUREAU, park: BUREAU,
  farmland: BUREAU, cane_base: BUREAU, disputed_land: BUREAU, reserved_land: BUREAU,
  land_use: BUREAU, eco_redline: BUREAU, urban_boundary: BUREAU,
  // the land bureau's layer, but only with the military grant: of the test accounts only tester has both
  military_land: ['tester'],
  red_line: ['planner', 'tester'],
  parcel: ['editor', 'tester'], house: ['editor', 'tester'], problem: ['editor', 'tester'], resettlement_site: ['editor', 'tester'],
};

/** Layers whose rows are matched by code: an import updates one in place, so committing it changes no data. */
const MATCHED_BY_CODE = new Set(['command_area', 'farmland', 'cane_base', 'military_land', 'disputed_land', 'reserved_land', 'red_line', 'parcel', 'house',
  'land_use', 'eco_redline', 'urban_boundary']);

const samples = new Map<string, unknown>();

beforeAll(async () => {
  for (const layer of LAYERS) {
    const g = layer.geometryColumn;
    const code = MATCHED_BY_CODE.has(layer.id) ? 't.code' : 'NULL';
    // editors' layers: a feature inside the editor's command area (贵城, id 1)
    const inArea = ['parcel', 'house'].includes(layer.id)
      ? `AND EXISTS (SELECT 1 FROM command_area a WHERE a.id = 1 AND ST_Intersects(a.geom, ST_PointOnSurface(t.${g})))` : '';
    const { rows: [r] } = await pool.query(`SELECT ${code} AS code, ST_AsGeoJSON(t.${g})::json AS g FROM "${layer.table}" t WHERE t.${g} IS NOT NULL ${inArea} ORDER BY t.id LIMIT 1`);
    samples.set(layer.id, { type: 'Feature', geometry: r.g, properties: r.code ? { code: r.code } : {} });
  }
});

async function upload(who: Account, layer: string): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('layer', layer);
  form.append('file', new Blob([JSON.stringify({ type: 'FeatureCollection', features: [samples.get(layer)] })]), `${layer}.geojson`);
  const res = await api('/api/import', { who: who === 'anonymous' ? null : who, method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

describe('import into every layer, as every account', () => {
  it('the table covers every layer of the catalogue', () => {
    expect(Object.keys(ALLOWED).sort()).toEqual(LAYERS.map((l) => l.id).sort());
  });

  for (const layer of LAYERS) {
    it(`${layer.id}: uploaded and committed only by ${ALLOWED[layer.id].join(', ') || 'nobody'}`, async () => {
      for (const who of ACCOUNTS) {
        const res = await upload(who, layer.id);
        if (!ALLOWED[layer.id].includes(who)) {
          expect(res.status, `${who} may not import into ${layer.id}: ${JSON.stringify(res.body)}`).toBe(who === 'anonymous' ? 401 : 403);
          continue;
        }
        expect(res.status, `${who} may import into ${layer.id}: ${JSON.stringify(res.body)}`).toBe(201);
        if (!MATCHED_BY_CODE.has(layer.id)) continue; // a commit would add a row the other suites do not expect
        const done = await api(`/api/import/${res.body.id}/commit`, { who, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        expect(done.status, `${who} commits into ${layer.id}: ${await done.clone().text()}`).toBe(200);
        expect((await done.json()).updated).toBe(1);
      }
    });
  }
});
