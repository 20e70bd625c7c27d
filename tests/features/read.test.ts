// Reading through OGC API – Features: the documents, paging, bbox, datetime, property filters, CRSs
// with their axis order and Content-Crs, HTML; every answer checked against the database.
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../geo/layers.ts';
import { useTestPool } from '../helpers/db.ts';
import { OGC, request } from './helpers.ts';

const pool = useTestPool();
const EPSG = (n: number) => `http://www.opengis.net/def/crs/EPSG/0/${n}`;
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

describe('documents', () => {
  it('landing page links the API, conformance and collections', async () => {
    const res = await request('GET', OGC);
    expect(res.status).toBe(200);
    const rels = res.body.links.map((l: { rel: string }) => l.rel);
    expect(rels).toEqual(expect.arrayContaining(['self', 'service-desc', 'conformance', 'data']));
  });

  it('declares core, GeoJSON, HTML, OpenAPI, CRS, queryables and Part 4 conformance', async () => {
    const res = await request('GET', `${OGC}/conformance`);
    expect(res.body.conformsTo).toEqual(expect.arrayContaining([
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
      'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
      'http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete',
    ]));
  });

  it('serves an OpenAPI 3 document with the limit maximum', async () => {
    const res = await request('GET', `${OGC}/api`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/vnd.oai.openapi+json');
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.paths['/collections/{collectionId}/items'].get).toBeDefined();
    expect(res.body.components.parameters.limit.schema.maximum).toBe(10000);
  });

  it('lists every layer as a collection with its CRSs and storage CRS', async () => {
    const res = await request('GET', `${OGC}/collections`);
    expect(res.body.collections.map((c: { id: string }) => c.id)).toEqual(LAYERS.map((l) => l.id));
    const parcel = res.body.collections.find((c: { id: string }) => c.id === 'parcel');
    expect(parcel.crs).toEqual([CRS84, EPSG(4490), EPSG(4326), EPSG(4524), EPSG(4525), EPSG(4545), EPSG(4546)]);
    expect(parcel.storageCrs).toBe(EPSG(4490));
    expect(parcel.title).toBe('征收宗地');
  });

  it('gives a collection with time a temporal extent from the data', async () => {
    const res = await request('GET', `${OGC}/collections/resettlement_site`);
    const { rows } = await pool.query(`SELECT to_char(min(planned_delivery_on), 'YYYY-MM-DD') a FROM resettlement_site`);
    expect(res.body.extent.temporal.interval[0][0]).toMatch(new RegExp(`^${rows[0].a}`));
  });

  it('answers 404 for an unknown collection, naming the real ones', async () => {
    const res = await request('GET', `${OGC}/collections/nope/items`);
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('parcel');
  });

  it('lists queryables with coded values', async () => {
    const res = await request('GET', `${OGC}/collections/parcel/queryables`);
    expect(res.headers.get('content-type')).toContain('application/schema+json');
    expect(res.body.properties.status.enum).toEqual(['unsigned', 'signed', 'paid', 'handed_over', 'court']);
    expect(res.body.properties.owner_name).toMatchObject({ type: 'string', title: '权利人' });
  });

  it('describes the writable schema: required fields, read-only ones, labelled codes', async () => {
    const res = await request('GET', `${OGC}/collections/parcel/schema`);
    expect(res.body.required).toEqual(expect.arrayContaining(['project_id', 'code', 'owner_type', 'owner_name', 'land_class']));
    expect(res.body.properties.area_mu.readOnly).toBe(true);
    expect(res.body.properties.status.oneOf).toContainEqual({ const: 'signed', title: '已签约', description: 'Signed' });
  });

  it('offers an HTML view in Chinese', async () => {
    const res = await request('GET', `${OGC}/collections/parcel/items?f=html&limit=5`);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('征收宗地');
  });
});

describe('items: paging and counts', () => {
  it('numberMatched is the table count; numberReturned the limit; next link pages on', async () => {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int n FROM parcel`);
    const res = await request('GET', `${OGC}/collections/parcel/items?limit=7`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/geo+json');
    expect(res.body).toMatchObject({ type: 'FeatureCollection', numberMatched: rows[0].n, numberReturned: 7 });
    const next = res.body.links.find((l: { rel: string }) => l.rel === 'next');
    const page2 = await request('GET', new URL(next.href).pathname + new URL(next.href).search);
    expect(page2.body.features[0].id).toBeGreaterThan(res.body.features[6].id);
    expect(page2.body.links.find((l: { rel: string }) => l.rel === 'prev')).toBeDefined();
  });

  it('walking every page returns every feature once', async () => {
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM resettlement_site ORDER BY id`);
    const ids: number[] = [];
    let url: string | undefined = `${OGC}/collections/resettlement_site/items?limit=2`;
    while (url) {
      const res: { body: any } = await request('GET', url);
      ids.push(...res.body.features.map((f: { id: number }) => f.id));
      const next: { href: string } | undefined = res.body.links.find((l: { rel: string }) => l.rel === 'next');
      url = next ? new URL(next.href).pathname + new URL(next.href).search : undefined;
    }
    expect(ids).toEqual(rows.map((r) => r.id));
  });

  it('refuses a limit over the maximum', async () => {
    const res = await request('GET', `${OGC}/collections/parcel/items?limit=10001`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('10000');
  });

  it('refuses an unknown query parameter, listing the queryables', async () => {
    const res = await request('GET', `${OGC}/collections/parcel/items?colour=red`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('owner_name');
  });
});

describe('items: filters', () => {
  it('filters by property, by code or by its Chinese label', async () => {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int n FROM parcel WHERE status = 'signed'`);
    const byCode = await request('GET', `${OGC}/collections/parcel/items?status=signed&limit=1`);
    const byLabel = await request('GET', `${OGC}/collections/parcel/items?status=${encodeURIComponent('已签约')}&limit=1`);
    expect(byCode.body.numberMatched).toBe(rows[0].n);
    expect(byLabel.body.numberMatched).toBe(rows[0].n);
  });

  it('filters by a numeric property', async () => {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int n FROM parcel WHERE project_id = 2`);
    const res = await request('GET', `${OGC}/collections/parcel/items?project_id=2&limit=1`);
    expect(res.body.numberMatched).toBe(rows[0].n);
  });

  it('filters by bbox in CRS84 (intersecting features)', async () => {
    const bbox = [109.58, 23.06, 109.62, 23.1];
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int n FROM parcel WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4490))`, bbox);
    const res = await request('GET', `${OGC}/collections/parcel/items?bbox=${bbox.join(',')}&limit=1`);
    expect(res.body.numberMatched).toBe(rows[0].n);
  });

  it('takes bbox-crs EPSG:4490 in latitude, longitude order', async () => {
    const res84 = await request('GET', `${OGC}/collections/parcel/items?bbox=109.58,23.06,109.62,23.1&limit=1`);
    const res = await request('GET', `${OGC}/collections/parcel/items?bbox=23.06,109.58,23.1,109.62&bbox-crs=${encodeURIComponent(EPSG(4490))}&limit=1`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.numberMatched).toBe(res84.body.numberMatched);
  });

  it('takes bbox-crs EPSG:4546 in northing, easting order', async () => {
    const { rows } = await pool.query<{ n0: number; e0: number; n1: number; e1: number; c: number }>(
      `WITH b AS (SELECT ST_Transform(ST_MakeEnvelope(109.58, 23.06, 109.62, 23.1, 4490), 4546) g)
       SELECT ST_YMin(g) n0, ST_XMin(g) e0, ST_YMax(g) n1, ST_XMax(g) e1,
              (SELECT count(*)::int FROM parcel WHERE ST_Intersects(geom, ST_Transform(ST_Segmentize(ST_MakeEnvelope(ST_XMin(b.g), ST_YMin(b.g), ST_XMax(b.g), ST_YMax(b.g), 4546), 500), 4490))) c
         FROM b`);
    const r = rows[0];
    const res = await request('GET', `${OGC}/collections/parcel/items?bbox=${[r.n0, r.e0, r.n1, r.e1].join(',')}&bbox-crs=${encodeURIComponent(EPSG(4546))}&limit=1`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.numberMatched).toBe(r.c);
  });

  it('filters by datetime (instant and interval) where the collection has time', async () => {
    const { rows } = await pool.query<{ d: string; n: number; m: number }>(
      `SELECT to_char(signed_on, 'YYYY-MM-DD') d, count(*)::int n,
              (SELECT count(*)::int FROM parcel WHERE signed_on <= p.signed_on) m
         FROM parcel p WHERE signed_on IS NOT NULL GROUP BY signed_on ORDER BY count(*) DESC LIMIT 1`);
    const instant = await request('GET', `${OGC}/collections/parcel/items?datetime=${rows[0].d}&limit=1`);
    expect(instant.body.numberMatched).toBe(rows[0].n);
    const open = await request('GET', `${OGC}/collections/parcel/items?datetime=../${rows[0].d}&limit=1`);
    expect(open.body.numberMatched).toBe(rows[0].m);
  });

  it('refuses datetime on a collection without time', async () => {
    const res = await request('GET', `${OGC}/collections/farmland/items?datetime=2021-01-01`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('no time');
  });
});

describe('items: CRSs and axis order', () => {
  const lonlat = async () => {
    const { rows } = await pool.query<{ id: number; x: number; y: number }>(
      `SELECT id, ST_X(p) x, ST_Y(p) y FROM (SELECT id, ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1) p FROM parcel ORDER BY id LIMIT 1) s`);
    return rows[0];
  };

  it('CRS84 by default: longitude, latitude; Content-Crs says so', async () => {
    const p = await lonlat();
    const res = await request('GET', `${OGC}/collections/parcel/items/${p.id}`);
    expect(res.headers.get('content-crs')).toBe(`<${CRS84}>`);
    const [x, y] = res.body.geometry.coordinates[0][0][0];
    expect(x).toBeCloseTo(p.x, 9);
    expect(y).toBeCloseTo(p.y, 9);
  });

  it.each([4490, 4326])('EPSG:%i: latitude first', async (epsg) => {
    const p = await lonlat();
    const res = await request('GET', `${OGC}/collections/parcel/items/${p.id}?crs=${encodeURIComponent(EPSG(epsg))}`);
    expect(res.headers.get('content-crs')).toBe(`<${EPSG(epsg)}>`);
    const [a, b] = res.body.geometry.coordinates[0][0][0];
    expect(a).toBeCloseTo(p.y, 9);
    expect(b).toBeCloseTo(p.x, 9);
  });

  it.each([4524, 4525, 4545, 4546])('EPSG:%i: northing first, as PostGIS transforms it', async (epsg) => {
    const p = await lonlat();
    const { rows } = await pool.query<{ e: number; n: number }>(`SELECT ST_X(q) e, ST_Y(q) n FROM ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4490), ${epsg}) q`, [p.x, p.y]);
    const res = await request('GET', `${OGC}/collections/parcel/items?crs=EPSG:${epsg}&limit=1`);
    expect(res.headers.get('content-crs')).toBe(`<${EPSG(epsg)}>`);
    const [a, b] = res.body.features[0].geometry.coordinates[0][0][0];
    expect(Math.abs(a - rows[0].n)).toBeLessThan(0.001);
    expect(Math.abs(b - rows[0].e)).toBeLessThan(0.001);
  });

  it('refuses a CRS it does not offer, listing those it does', async () => {
    const res = await request('GET', `${OGC}/collections/parcel/items?crs=EPSG:3857`);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(EPSG(4525));
  });
});
