// The items' `sortby` (OGC API – Features Part 5 / Records style) and the collection summary (count and
// sums of a query: the attribute table's footer): each answer against hand-written SQL on the demo data;
// paging through a sorted result neither repeats nor skips a row; bad input is 400 naming the
// parameter and the property; a withheld property is as unknown to sortby as to a filter.
import { describe, expect, inject, it } from 'vitest';
import { M2_PER_MU } from '../../geo/units.ts';
import { api, getJson, useTestPool } from '../helpers/db.ts';
import { OGC } from './helpers.ts';

const pool = useTestPool();

async function itemIds(layer: string, params: Record<string, string>, who = 'tester'): Promise<number[]> {
  const res = await getJson(`${OGC}/collections/${layer}/items?${new URLSearchParams(params)}`, who);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.features.map((f: { id: number }) => f.id);
}

async function sqlIds(sql: string, params: unknown[] = []): Promise<number[]> {
  return (await pool.query<{ id: number }>(sql, params)).rows.map((r) => r.id);
}

// the parcel's area in 亩 as the catalogue derives it (server/core/catalogue.ts)
const AREA_MU = `floor(area_m2 / ${M2_PER_MU} * 100 + 0.5) / 100`;

describe('sortby on items', () => {
  it('orders by a derived number descending, ties by id (all parcels)', async () => {
    const api = await itemIds('parcel', { sortby: '-area_mu', limit: '10000' });
    expect(api).toEqual(await sqlIds(`SELECT id FROM parcel WHERE geom IS NOT NULL ORDER BY ${AREA_MU} DESC, id`));
    expect(api.length).toBeGreaterThan(100);
  });

  it('orders by several keys, "+" (or a space, its form unencoded) ascending, with a filter', async () => {
    const filter = "status IN ('unsigned', 'signed')";
    const want = await sqlIds(`SELECT id FROM parcel WHERE geom IS NOT NULL AND status IN ('unsigned', 'signed') ORDER BY status, owner_name DESC NULLS LAST, id`);
    expect(await itemIds('parcel', { sortby: '+status,-owner_name', filter, limit: '10000' })).toEqual(want);
    expect(await itemIds('parcel', { sortby: ' status,-owner_name', filter, limit: '10000' })).toEqual(want);
    expect(await itemIds('parcel', { sortby: 'status,-owner_name', filter, limit: '10000' })).toEqual(want);
  });

  it('sorts dates as dates and puts nulls last both ways', async () => {
    for (const [dir, sql] of [['+', 'ASC'], ['-', 'DESC']] as const) {
      expect(await itemIds('parcel', { sortby: `${dir}signed_on`, limit: '10000' }))
        .toEqual(await sqlIds(`SELECT id FROM parcel WHERE geom IS NOT NULL ORDER BY signed_on ${sql} NULLS LAST, id`));
    }
  });

  it('pages through a sort with many ties without repeating or skipping a row', async () => {
    const whole = await sqlIds('SELECT id FROM parcel WHERE geom IS NOT NULL ORDER BY status DESC, id');
    const paged: number[] = [];
    for (let offset = 0; offset < whole.length; offset += 37) paged.push(...await itemIds('parcel', { sortby: '-status', limit: '37', offset: String(offset) }));
    expect(paged).toEqual(whole);
  });

  it('keeps a sorted result between pages, and drops it when the layer changes (a write here; on PostgreSQL plain SQL too)', async () => {
    const sql = () => sqlIds('SELECT id FROM parcel WHERE geom IS NOT NULL ORDER BY owner_name NULLS LAST, id');
    const paged = async () => {
      const out: number[] = [];
      for (let offset = 0; offset < 600; offset += 200) out.push(...await itemIds('parcel', { sortby: 'owner_name', limit: '200', offset: String(offset) }));
      return out;
    };
    const head = async () => itemIds('parcel', { sortby: 'owner_name', limit: '200' });
    /** until the first 200 include the parcel (or not), at most 2 s */
    const heads = async (id: number, included: boolean) => {
      const t0 = Date.now();
      while ((await head()).includes(id) !== included && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 20));
      return (await head()).includes(id);
    };
    expect(await paged()).toEqual((await sql()).slice(0, 600));
    // a parcel from the end of the order renamed to sort first: before every Chinese name (only empty
    // or punctuation names come earlier)
    const { rows: [p] } = await pool.query<{ id: number; owner_name: string | null }>(
      `SELECT id, owner_name FROM parcel WHERE geom IS NOT NULL AND owner_type <> 'military' ORDER BY owner_name DESC NULLS FIRST, id DESC LIMIT 1`);
    const rename = async (name: string | null) => {
      const item = await api(`${OGC}/collections/parcel/items/${p.id}`);
      const res = await api(`${OGC}/collections/parcel/items/${p.id}`, {
        method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': item.headers.get('etag')! },
        body: JSON.stringify({ properties: { owner_name: name }, reason: 'sortby test' }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    try {
      await rename('0 排序测试');
      expect(await heads(p.id, true)).toBe(true);
      expect(await paged()).toEqual((await sql()).slice(0, 600));
      await rename(p.owner_name);
      expect(await heads(p.id, false)).toBe(false);
      if (inject('backend') === 'postgres') {
        // behind the API's back: the trigger's notification reaches the server all the same
        await pool.query(`UPDATE parcel SET owner_name = '0 排序测试' WHERE id = $1`, [p.id]);
        expect(await heads(p.id, true)).toBe(true);
        expect(await paged()).toEqual((await sql()).slice(0, 600));
      }
    } finally {
      await pool.query('UPDATE parcel SET owner_name = $2 WHERE id = $1', [p.id, p.owner_name]);
    }
  });

  it('sorts by the id either way', async () => {
    expect(await itemIds('red_line', { sortby: '-id', limit: '10000' })).toEqual(await sqlIds('SELECT id FROM project WHERE red_line IS NOT NULL ORDER BY id DESC'));
  });

  it.each([
    ['colour', 'unknown property "colour"', 'colour'],
    ['-area_mu,,name', 'is not [+|-]property', ''],
    ['area mu', 'is not [+|-]property', 'area mu'],
    ['status,-status', '"status" is given twice', 'status'],
    ['geometry', 'unknown property "geometry"', 'geometry'],
  ])('refuses sortby=%s with 400 naming the parameter and the property', async (sortby, message, property) => {
    const res = await getJson(`${OGC}/collections/parcel/items?${new URLSearchParams({ sortby })}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_input');
    expect(res.body.field).toBe('sortby');
    expect(res.body.params.property).toBe(property);
    expect(res.body.message).toContain(`sortby: `);
    expect(res.body.message).toContain(message);
  });

  it('refuses a property withheld from the reader exactly as an unknown one (military land’s unit)', async () => {
    const hidden = await getJson(`${OGC}/collections/military_land/items?sortby=unit`, 'viewer');
    const unknown = await getJson(`${OGC}/collections/military_land/items?sortby=unitx`, 'viewer');
    expect(hidden.status).toBe(400);
    expect(hidden.body.message.replace('"unit"', '"X"')).toBe(unknown.body.message.replace('"unitx"', '"X"'));
    expect((await getJson(`${OGC}/collections/military_land/items?sortby=unit`, 'military')).status).toBe(200);
  });

  it('is in the OpenAPI document', async () => {
    const res = await getJson(`${OGC}/api`);
    expect(res.body.components.parameters.sortby.name).toBe('sortby');
    expect(res.body.paths['/collections/{collectionId}/items'].get.parameters).toContainEqual({ $ref: '#/components/parameters/sortby' });
    expect(res.body.paths['/collections/{collectionId}/summary'].get).toBeDefined();
  });
});

describe('a parameter given twice', () => {
  it('is one when both values are the same (GDAL repeats its dataset URL’s query on next links), 400 when they differ', async () => {
    const f = encodeURIComponent("status = 'signed'");
    const twice = await getJson(`${OGC}/collections/parcel/items?filter=${f}&filter=${f}&limit=10000`);
    expect(twice.status).toBe(200);
    expect(twice.body.features.map((x: { id: number }) => x.id)).toEqual(await sqlIds("SELECT id FROM parcel WHERE geom IS NOT NULL AND status = 'signed' ORDER BY id"));
    // its next link carries the filter once
    const next = (await getJson(`${OGC}/collections/parcel/items?filter=${f}&filter=${f}&limit=5`)).body.links.find((l: { rel: string }) => l.rel === 'next');
    expect(new URL(next.href).searchParams.getAll('filter')).toEqual(["status = 'signed'"]);
    const differ = await getJson(`${OGC}/collections/parcel/items?filter=${f}&filter=${encodeURIComponent("status = 'paid'")}`);
    expect(differ.status).toBe(400);
    expect(differ.body.field).toBe('filter');
  });
});

describe('the area and the selection as queryables', () => {
  it('filters by area_mu and by id IN (…)', async () => {
    expect(await itemIds('parcel', { filter: 'area_mu > 5', limit: '10000' })).toEqual(await sqlIds(`SELECT id FROM parcel WHERE geom IS NOT NULL AND ${AREA_MU} > 5 ORDER BY id`));
    const some = (await sqlIds('SELECT id FROM parcel ORDER BY id DESC LIMIT 7')).sort((a, b) => a - b);
    expect(await itemIds('parcel', { filter: `id IN (${some.join(',')})` })).toEqual(some);
  });
});

describe('the summary (count and sums of a query)', () => {
  it('gives the count and the sums of 亩, m² and 元 of 贵城片区’s 未签约 parcels over 5 亩, as SQL does', async () => {
    const { rows: [area] } = await pool.query<{ id: number }>("SELECT id FROM command_area WHERE code = 'guicheng'");
    const projects = await sqlIds('SELECT id FROM project WHERE command_area_id = $1 ORDER BY id', [area.id]);
    const filter = `project_id IN (${projects.join(',')}) AND status = '未签约' AND area_mu > 5`;
    const res = await getJson(`${OGC}/collections/parcel/summary?${new URLSearchParams({ filter })}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { rows: [want] } = await pool.query(
      `SELECT count(*)::int n, sum(area_m2)::float8 area, sum(agreed_compensation_yuan)::float8 agreed, sum(paid_yuan)::float8 paid
         FROM parcel p WHERE geom IS NOT NULL AND project_id = ANY($1) AND status = 'unsigned' AND ${AREA_MU} > 5`, [projects]);
    expect(want.n).toBeGreaterThan(0);
    expect(res.body.numberMatched).toBe(want.n);
    const sum = (name: string) => res.body.sums.find((s: { name: string }) => s.name === name);
    expect(sum('area_m2')).toMatchObject({ unit: 'm2' });
    expect(sum('area_m2').value).toBeCloseTo(want.area, 6);
    expect(sum('agreed_compensation_yuan')).toMatchObject({ unit: 'yuan' });
    expect(sum('agreed_compensation_yuan').value).toBeCloseTo(want.agreed ?? 0, 6);
    expect(sum('paid_yuan').value).toBeCloseTo(want.paid ?? 0, 6);
  });

  it('sums a selection (id IN …) and a layer’s own 亩 and m² attributes (red lines’ targets)', async () => {
    const ids = await sqlIds('SELECT id FROM project WHERE red_line IS NOT NULL ORDER BY id LIMIT 5');
    const res = await getJson(`${OGC}/collections/red_line/summary?${new URLSearchParams({ filter: `id IN (${ids.join(',')})` })}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { rows: [want] } = await pool.query(
      'SELECT count(*)::int n, sum(red_line_area_m2)::float8 area, sum(land_target_mu)::float8 mu, sum(house_target_m2)::float8 m2 FROM project WHERE id = ANY($1)', [ids]);
    expect(res.body.numberMatched).toBe(5);
    const sum = (name: string) => res.body.sums.find((s: { name: string }) => s.name === name);
    expect(sum('area_m2').value).toBeCloseTo(want.area, 6);
    expect(sum('land_target_mu')).toMatchObject({ unit: 'mu' });
    expect(sum('land_target_mu').value).toBeCloseTo(want.mu, 6);
    expect(sum('house_target_m2').value).toBeCloseTo(want.m2, 6);
  });

  it('refuses a bad filter with its position, and parameters that do not apply', async () => {
    const bad = await getJson(`${OGC}/collections/parcel/summary?${new URLSearchParams({ filter: "status = 'unsigned' AND" })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_filter');
    expect(bad.body.params.position).toBeTypeOf('number');
    const limit = await getJson(`${OGC}/collections/parcel/summary?limit=5`);
    expect(limit.status).toBe(400);
    expect(limit.body.field).toBe('limit');
  });
});
