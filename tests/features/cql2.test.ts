// OGC API – Features Part 3 filtering: a CQL2 text `filter` on /items, and the same filter on the
// export. Every operator's answer is checked against hand-written SQL on the demo district's data;
// with paging, bbox, datetime and the filter-crs; refusals name the position; the release rule holds
// (a hidden attribute is answered exactly as an unknown one).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, getJson, useTestPool } from '../helpers/db.ts';
import { hasProgram } from '../helpers/tools.ts';
import { OGC } from './helpers.ts';

const pool = useTestPool();
const EPSG4490 = 'http://www.opengis.net/def/crs/EPSG/0/4490';
const hasOgrinfo = hasProgram('ogrinfo', ['--version'], 'features/cql2.test', 'gdal-bin');

async function items(layer: string, params: Record<string, string>, who = 'tester') {
  const qs = new URLSearchParams({ limit: '10000', ...params });
  return getJson(`${OGC}/collections/${layer}/items?${qs}`, who);
}

/** The ids the items API answers for a filter (all on one page), checked to be the whole match. */
async function apiIds(layer: string, params: Record<string, string>, who = 'tester'): Promise<number[]> {
  const res = await items(layer, params, who);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.numberMatched).toBe(res.body.features.length);
  return res.body.features.map((f: { id: number }) => f.id);
}

async function sqlIds(table: string, where: string, params: unknown[] = []): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>(`SELECT id FROM ${table} t WHERE ${where} ORDER BY id`, params);
  return rows.map((r) => r.id);
}

/** Each operator: the filter and the SQL it must mean, side by side (parcels of the demo district). */
const PARCEL_CASES: { name: string; filter: string; sql: string }[] = [
  { name: '= a Chinese label', filter: "status = '未签约'", sql: "status = 'unsigned'" },
  { name: '= the stored code', filter: "status = 'signed'", sql: "status = 'signed'" },
  { name: '= the English label', filter: "status = 'Handed over'", sql: "status = 'handed_over'" },
  { name: '= a Chinese name', filter: "owner_name = '城南社区集体经济组织'", sql: "owner_name = '城南社区集体经济组织'" },
  { name: '<>', filter: "status <> '已交地'", sql: "status <> 'handed_over'" },
  { name: '<', filter: 'agreed_compensation_yuan < 100000', sql: 'agreed_compensation_yuan < 100000' },
  { name: '>', filter: 'paid_yuan > 1000000', sql: 'paid_yuan > 1000000' },
  { name: '<= a date', filter: "signed_on <= DATE('2021-03-31')", sql: "signed_on <= '2021-03-31'" },
  { name: '>= a date', filter: "signed_on >= DATE('2022-06-01')", sql: "signed_on >= '2022-06-01'" },
  { name: 'a value first', filter: '100000 < agreed_compensation_yuan', sql: 'agreed_compensation_yuan > 100000' },
  { name: 'a property with a property', filter: 'paid_yuan >= agreed_compensation_yuan', sql: 'paid_yuan >= agreed_compensation_yuan' },
  { name: 'IN', filter: "status IN ('已签约', 'paid')", sql: "status IN ('signed', 'paid')" },
  { name: 'NOT IN', filter: "land_class NOT IN ('0101', '0201')", sql: "land_class NOT IN ('0101', '0201')" },
  { name: 'BETWEEN', filter: 'agreed_compensation_yuan BETWEEN 100000 AND 300000', sql: 'agreed_compensation_yuan BETWEEN 100000 AND 300000' },
  { name: 'LIKE with %', filter: "owner_name LIKE '张%'", sql: "owner_name LIKE '张%'" },
  { name: 'LIKE with _', filter: "code LIKE 'XM2021-001-000_'", sql: "code LIKE 'XM2021-001-000_'" },
  { name: 'IS NULL', filter: 'signed_on IS NULL', sql: 'signed_on IS NULL' },
  { name: 'IS NOT NULL', filter: 'court_filed_on IS NOT NULL', sql: 'court_filed_on IS NOT NULL' },
  { name: 'AND', filter: "status = 'paid' AND paid_yuan > 500000", sql: "status = 'paid' AND paid_yuan > 500000" },
  { name: 'OR', filter: "status = 'court' OR owner_type = '部队'", sql: "status = 'court' OR owner_type = 'military'" },
  { name: 'NOT and parentheses', filter: "NOT (status = 'handed_over' OR status = 'unsigned') AND land_class = '0101'", sql: "NOT (status = 'handed_over' OR status = 'unsigned') AND land_class = '0101'" },
  {
    name: 'S_INTERSECTS a polygon', filter: 'S_INTERSECTS(geometry, POLYGON((109.55 23.05, 109.65 23.05, 109.65 23.15, 109.55 23.15, 109.55 23.05)))',
    sql: "ST_Intersects(geom, ST_GeomFromText('POLYGON((109.55 23.05, 109.65 23.05, 109.65 23.15, 109.55 23.15, 109.55 23.05))', 4490))",
  },
  {
    name: 'S_INTERSECTS a geometry collection', filter: 'S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(109.6 23.1), LINESTRING(109.5 23.1, 109.7 23.2)))',
    sql: "ST_Intersects(geom, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(109.6 23.1), LINESTRING(109.5 23.1, 109.7 23.2))', 4490))",
  },
  {
    name: 'S_INTERSECTS a bbox', filter: 'S_INTERSECTS(geometry, BBOX(109.6, 23.1, 109.7, 23.2))',
    sql: 'ST_Intersects(geom, ST_MakeEnvelope(109.6, 23.1, 109.7, 23.2, 4490))',
  },
  {
    name: 'S_INTERSECTS a line, with an attribute', filter: "S_INTERSECTS(geometry, LINESTRING(109.3 23.0, 109.8 23.3)) AND status = '已交地'",
    sql: "ST_Intersects(geom, ST_GeomFromText('LINESTRING(109.3 23.0, 109.8 23.3)', 4490)) AND status = 'handed_over'",
  },
];

describe('each operator answers what the SQL answers', () => {
  for (const c of PARCEL_CASES) {
    it(c.name, async () => {
      const expected = await sqlIds('parcel', c.sql);
      const total = (await pool.query<{ n: number }>('SELECT count(*)::int n FROM parcel')).rows[0].n;
      // a case that selects nothing or everything would prove nothing
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(total);
      expect(await apiIds('parcel', { filter: c.filter })).toEqual(expected);
    });
  }

  it('a point hits the parcel it lies in', async () => {
    const { rows } = await pool.query<{ id: number; x: number; y: number }>(
      'SELECT id, ST_X(ST_PointOnSurface(geom)) x, ST_Y(ST_PointOnSurface(geom)) y FROM parcel ORDER BY id LIMIT 1');
    const p = rows[0];
    const expected = await sqlIds('parcel', 'ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4490))', [p.x, p.y]);
    expect(expected).toContain(p.id);
    expect(await apiIds('parcel', { filter: `S_INTERSECTS(geometry, POINT(${p.x} ${p.y}))` })).toEqual(expected);
  });

  it('a detailed polygon (a filter over 1,000 characters) is taken', async () => {
    const ring = Array.from({ length: 64 }, (_, i) => {
      const a = (2 * Math.PI * i) / 64;
      return `${(109.6 + 0.05 * Math.cos(a)).toFixed(8)} ${(23.1 + 0.05 * Math.sin(a)).toFixed(8)}`;
    });
    const wkt = `POLYGON((${[...ring, ring[0]].join(', ')}))`;
    expect(wkt.length).toBeGreaterThan(1000);
    const expected = await sqlIds('parcel', 'ST_Intersects(geom, ST_GeomFromText($1, 4490))', [wkt]);
    expect(expected.length).toBeGreaterThan(0);
    expect(await apiIds('parcel', { filter: `S_INTERSECTS(geometry, ${wkt})` })).toEqual(expected);
  });

  it('filter-crs EPSG:4490 takes latitude first and answers as CRS84 does', async () => {
    const crs84 = await apiIds('parcel', { filter: 'S_INTERSECTS(geometry, BBOX(109.6, 23.1, 109.7, 23.2))' });
    const latFirst = await apiIds('parcel', { filter: 'S_INTERSECTS(geometry, BBOX(23.1, 109.6, 23.2, 109.7))', 'filter-crs': EPSG4490 });
    expect(latFirst).toEqual(crs84);
    expect(crs84.length).toBeGreaterThan(0);
  });

  it('combines with ?name=value, bbox and datetime', async () => {
    const expected = await sqlIds('parcel',
      "owner_type = 'household' AND status IN ('signed', 'paid') AND geom && ST_MakeEnvelope(109.5, 23.0, 109.7, 23.2, 4490) AND ST_Intersects(geom, ST_MakeEnvelope(109.5, 23.0, 109.7, 23.2, 4490)) AND signed_on >= '2021-01-01' AND signed_on < '2022-01-01'");
    expect(expected.length).toBeGreaterThan(0);
    expect(await apiIds('parcel', {
      filter: "status IN ('signed', 'paid')", owner_type: '农户', bbox: '109.5,23.0,109.7,23.2', datetime: '2021-01-01/2021-12-31',
    })).toEqual(expected);
  });

  it('a coded value is taken by the same rule as ?name=value (key, Chinese or English label)', async () => {
    for (const v of ['court', '司法征收', 'Court route']) {
      expect(await apiIds('parcel', { filter: `status = '${v}'` })).toEqual(await apiIds('parcel', { status: v }));
    }
  });
});

describe('paging with a filter', () => {
  it('numberMatched counts the filtered rows and next/prev carry the filter', async () => {
    const filter = "status = '未签约' AND land_class LIKE '01%'";
    const expected = await sqlIds('parcel', "status = 'unsigned' AND land_class LIKE '01%'");
    expect(expected.length).toBeGreaterThan(60);
    const first = await getJson(`${OGC}/collections/parcel/items?${new URLSearchParams({ filter, limit: '50' })}`);
    expect(first.status).toBe(200);
    expect(first.body.numberMatched).toBe(expected.length);
    expect(first.body.features.map((f: { id: number }) => f.id)).toEqual(expected.slice(0, 50));
    const next = first.body.links.find((l: { rel: string }) => l.rel === 'next');
    expect(new URL(next.href).searchParams.get('filter')).toBe(filter);
    const second = await getJson(next.href);
    expect(second.body.numberMatched).toBe(expected.length);
    expect(second.body.features.map((f: { id: number }) => f.id)).toEqual(expected.slice(50, 100));
    const prev = second.body.links.find((l: { rel: string }) => l.rel === 'prev');
    expect(new URL(prev.href).searchParams.get('filter')).toBe(filter);
  });
});

describe('refusals', () => {
  it('a syntax error is 400 invalid_filter naming the position and what was expected', async () => {
    const res = await items('parcel', { filter: "status = 'signed' AND paid_yuan >" });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_filter');
    expect(res.body.message).toBe('filter: expected a value after ">" at position 34 (found the end of the filter)');
    expect(res.body.params).toMatchObject({ field: 'filter', position: 34, expected: 'a value' });
  });

  it('an unknown property is 400 naming it, its position and the queryables', async () => {
    const res = await items('parcel', { filter: "status = 'signed' AND colour = 'red'" });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_filter');
    expect(res.body.message).toMatch(/^filter: unknown property "colour" at position 23: filter by one of .*owner_name.*, geometry \(see \/queryables\)$/);
    expect(res.body.params).toMatchObject({ position: 23, property: 'colour' });
  });

  it('a value outside a coded column lists the values, as ?name=value does', async () => {
    const viaFilter = await items('parcel', { filter: "status = '已拆迁'" });
    const viaParam = await items('parcel', { status: '已拆迁' });
    expect(viaFilter.status).toBe(400);
    expect(viaFilter.body.message).toBe(`filter: ${viaParam.body.message} at position 10`);
    expect(viaFilter.body.message).toContain('unsigned (未签约)');
  });

  it('a number for a text property, LIKE on a number, order on a coded value, a property in S_INTERSECTS', async () => {
    for (const [filter, message] of [
      ['land_class = 101', 'filter: land_class is text: quote the value (\'101\') at position 14'],
      ["paid_yuan LIKE '1%'", 'filter: LIKE at position 1 applies to text, and paid_yuan is a number'],
      ["status > 'signed'", 'filter: status at position 1 has no order: compare it with =, <> or IN, not >'],
      ['S_INTERSECTS(code, POINT(109.6 23.1))', 'filter: S_INTERSECTS at position 1 takes the geometry, "geometry" (got "code")'],
      ['status = land_class', 'filter: status and land_class at position 1 are not comparable (coded, text)'],
      ["geometry = 'x'", 'filter: geometry at position 1 can only be used in S_INTERSECTS, not ='],
      ['S_INTERSECTS(geometry, POINT(23.1 109.6))', 'filter: the geometry at position 1 has a point (23.1 109.6) outside longitude ±180, latitude ±90: CRS84 gives longitude first'],
    ]) {
      const res = await items('parcel', { filter });
      expect(res.status, filter).toBe(400);
      expect(res.body.error, filter).toBe('invalid_filter');
      expect(res.body.message, filter).toBe(message);
    }
  });

  it('filter-lang other than cql2-text is 400 naming the supported one', async () => {
    const res = await items('parcel', { filter: '{"op":"=","args":[{"property":"status"},"signed"]}', 'filter-lang': 'cql2-json' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_input');
    expect(res.body.message).toBe('filter-lang must be cql2-text (got "cql2-json")');
    expect(await apiIds('parcel', { filter: "status = 'court'", 'filter-lang': 'cql2-text' })).toEqual(await sqlIds('parcel', "status = 'court'"));
  });
});

describe('the release rule', () => {
  it('a hidden attribute of military land is answered exactly as an unknown one, to a reader without the grant', async () => {
    const hidden = await items('military_land', { filter: "use = 'training_ground'" }, 'viewer');
    const unknown = await items('military_land', { filter: "usx = 'training_ground'" }, 'viewer');
    expect(hidden.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(hidden.body).toEqual(JSON.parse(JSON.stringify(unknown.body).replaceAll('usx', 'use')));
    expect(hidden.body.message).not.toMatch(/\bname\b|\bunit\b|\bnotes\b/);
    // with the grant it filters
    expect(await apiIds('military_land', { filter: "use = 'training_ground'" }, 'military')).toEqual(await sqlIds('military_land', "use = 'training_ground'"));
  });

  it('an owner name withheld on a row is NULL to the filter too (no oracle)', async () => {
    const { rows } = await pool.query<{ owner_name: string }>("SELECT owner_name FROM parcel WHERE owner_type = 'military' ORDER BY id LIMIT 1");
    const filter = `owner_name = '${rows[0].owner_name.replaceAll("'", "''")}'`;
    const granted = await apiIds('parcel', { filter }, 'military');
    expect(granted).toEqual(await sqlIds('parcel', 'owner_name = $1', [rows[0].owner_name]));
    expect(granted.length).toBeGreaterThan(0);
    const plain = await apiIds('parcel', { filter }, 'viewer');
    expect(plain).toEqual(await sqlIds('parcel', "owner_name = $1 AND owner_type <> 'military'", [rows[0].owner_name]));
  });
});

describe('documents', () => {
  it('declares the Part 3 filter and CQL2 conformance classes', async () => {
    const res = await getJson(`${OGC}/conformance`);
    expect(res.body.conformsTo).toEqual(expect.arrayContaining([
      'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
      'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
      'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
      'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
      'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions',
    ]));
  });

  it('the OpenAPI document lists filter, filter-lang and filter-crs on items', async () => {
    const res = await getJson(`${OGC}/api`);
    const refs = res.body.paths['/collections/{collectionId}/items'].get.parameters.map((p: { $ref: string }) => p.$ref);
    for (const name of ['filter', 'filter-lang', 'filter-crs']) {
      expect(refs).toContain(`#/components/parameters/${name}`);
      expect(res.body.components.parameters[name].in).toBe('query');
    }
    expect(res.body.components.parameters['filter-lang'].schema.enum).toEqual(['cql2-text']);
  });
});

describe('export with a filter', () => {
  it('counts and carries the rows the SQL selects', async () => {
    const filter = "status IN ('已签约', 'paid') AND S_INTERSECTS(geometry, BBOX(109.5, 23.0, 109.7, 23.2))";
    const expected = await sqlIds('parcel', "status IN ('signed', 'paid') AND ST_Intersects(geom, ST_MakeEnvelope(109.5, 23.0, 109.7, 23.2, 4490))");
    expect(expected.length).toBeGreaterThan(0);
    const res = await api(`/api/export?${new URLSearchParams({ layer: 'parcel', format: 'geojson', filter })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-feature-count')).toBe(String(expected.length));
    const body = JSON.parse(await res.text());
    expect(body.features.map((f: { properties: { id?: number }; id?: number }) => f.id ?? f.properties.id).sort((a: number, b: number) => a - b)).toEqual(expected);
  });

  it('a spooled format (a worker thread on PostgreSQL) takes the filter too: GDAL counts the file', async () => {
    const filter = "owner_type = '村集体' AND land_class LIKE '01%'";
    const expected = await sqlIds('parcel', "owner_type = 'village_collective' AND land_class LIKE '01%'");
    expect(expected.length).toBeGreaterThan(0);
    const res = await api(`/api/export?${new URLSearchParams({ layer: 'parcel', format: 'gpkg', filter })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-feature-count')).toBe(String(expected.length));
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!hasOgrinfo) return;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zs-cql2-'));
    try {
      writeFileSync(path.join(dir, 'parcel.gpkg'), bytes);
      const info = execFileSync('ogrinfo', ['-ro', '-so', '-al', path.join(dir, 'parcel.gpkg')]).toString('utf8');
      expect(Number(/Feature Count: (\d+)/.exec(info)?.[1])).toBe(expected.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad filter is refused before any work, as on /items', async () => {
    const res = await api(`/api/export?${new URLSearchParams({ layer: 'parcel', format: 'geojson', filter: "status = 'signed' AND" })}`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe('invalid_filter');
    expect(body.message).toBe('filter: expected a condition after "AND" at position 22 (found the end of the filter)');
  });

  it('a hidden attribute is unknown on the export too', async () => {
    const res = await api(`/api/export?${new URLSearchParams({ layer: 'military_land', format: 'geojson', filter: "use = 'compound'" })}`, { who: 'bureau' });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/^filter: unknown property "use" at position 1/);
  });
});
