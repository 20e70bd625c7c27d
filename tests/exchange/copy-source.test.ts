// The two ways an export reads PostgreSQL (server/exchange/source.ts) give the same features: keyset
// pages (a pool of one, as on the embedded database) and one binary COPY (a pool that can spare a
// connection, formats written to a temporary file first). COPY takes no parameters, so the filters'
// values are written into the statement as escaped literals: a quote in a value must stay a value.
// Only against a PostgreSQL server (DATABASE_URL): the embedded PGlite is one session, never COPYed.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LAYER_BY_ID } from '../../geo/layers.ts';
import { type ExportFilters, type ExportFeature, openSource } from '../../server/exchange/source.ts';
import { type LayerFields, loadLayerFields } from '../../server/core/catalogue.ts';
import { useTestPool } from '../helpers/db.ts';

const onServer = inject('backend') === 'postgres';
const single = useTestPool(); // max 1: keyset pages
let spare: pg.Pool; // max 2: COPY
let layerFields: LayerFields;
let projectCode: string;

beforeAll(async () => {
  if (!onServer) return;
  spare = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  layerFields = await loadLayerFields(single);
  projectCode = (await single.query(`SELECT p.code FROM project p JOIN parcel t ON t.project_id = p.id GROUP BY p.code ORDER BY count(*) DESC LIMIT 1`)).rows[0].code;
});
afterAll(() => spare?.end());

const plain = (f: ExportFeature) => ({ id: f.id, props: { ...f.props }, extra: { ...f.extra }, wkb: f.wkb.toString('hex'), areaM2: f.areaM2, planarM2: f.planarM2 });

/** Every feature, copied batch by batch (a batch, its objects and WKB, is only valid until the next batch is asked for). */
async function read(pool: pg.Pool, filters: ExportFilters, crs: number | 'gk' = 4490): Promise<{ features: ReturnType<typeof plain>[]; batches: number }> {
  const layer = LAYER_BY_ID.get('parcel')!;
  const src = await openSource(pool, { layer, fields: layerFields.get('parcel')!, filters, crs, areas: true, extra: { project_name: '(SELECT p.name FROM project p WHERE p.id = t.project_id)' }, spools: true, batchSize: 50 });
  const features: ReturnType<typeof plain>[] = [];
  let batches = 0;
  for await (const b of src.batches()) { features.push(...b.map(plain)); batches++; }
  return { features, batches };
}

describe.skipIf(!onServer)('COPY and keyset pages read the same features', () => {
  it.each<[string, () => ExportFilters, number | 'gk']>([
    ['project by code, Gauss–Krüger', () => ({ project: projectCode }), 'gk'],
    ['status (key and Chinese label) and a bbox', () => ({ status: ['signed', '已付款'], bbox: [109.2, 22.65, 109.6, 23.1] }), 4490],
    ['command area by name, max id', () => ({ commandArea: 'gangcheng', maxId: 5000 }), 4490],
  ])('%s', async (_name, filters, crs) => {
    const pages = await read(single, filters(), crs);
    const copied = await read(spare, filters(), crs);
    expect(pages.features.length).toBeGreaterThan(0);
    expect(copied.features).toEqual(pages.features);
    expect(copied.batches).toBe(Math.ceil(copied.features.length / 50));
  });

  it('a quote in a filter value stays a value (no rows, no SQL error)', async () => {
    const filters: ExportFilters = { project: `x' OR '1'='1`, commandArea: `'; DROP TABLE parcel; --`, status: [`a'b`] };
    expect((await read(spare, filters)).features).toHaveLength(0);
    expect((await read(single, filters)).features).toHaveLength(0);
    expect((await single.query('SELECT count(*)::int n FROM parcel')).rows[0].n).toBeGreaterThan(0);
  });

  it('a writer that stops early gives the connection back (dropped, the pool goes on)', async () => {
    const layer = LAYER_BY_ID.get('parcel')!;
    const src = await openSource(spare, { layer, fields: layerFields.get('parcel')!, filters: {}, crs: 4490, spools: true, batchSize: 10 });
    for await (const b of src.batches()) { expect(b).toHaveLength(10); break; }
    for (let i = 0; i < 3; i++) expect((await spare.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    expect(spare.totalCount).toBeLessThanOrEqual(2);
  });
});
