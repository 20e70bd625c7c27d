// GDAL's OAPIF driver (a client nobody here wrote) and the CQL2 `filter`. GDAL 3.6 does not translate
// an OGR attribute filter (-where) into `filter`: it pages through the whole collection and filters
// on its side (right answer, all the traffic). It does keep a query string given on the collection's
// URL and sends it with every items request: so `OAPIF:…/collections/parcel?filter=<CQL2>` has the
// server filter, and the features GDAL reads are exactly the database's.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { M2_PER_MU } from '../../geo/units.ts';
import { appUrl, authHeaders, useTestPool } from '../helpers/db.ts';
import { hasProgram } from '../helpers/tools.ts';

const pool = useTestPool();
const hasOgrinfo = hasProgram('ogrinfo', ['--version'], 'features/gdal-filter.test', 'gdal-bin');
// CPL_DEBUG: GDAL logs every URL it fetches (HTTP: Fetch(…)) on stderr
const env = { ...process.env, GDAL_HTTP_TIMEOUT: '60', CPL_CURL_VERBOSE: 'NO', GDAL_HTTP_COOKIE: authHeaders().cookie, CPL_DEBUG: 'ON' };

function ogrinfo(args: string[]): { out: string; fetched: string[] } {
  const r = spawnSync('ogrinfo', args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  expect(r.status, r.stderr.slice(-2000)).toBe(0);
  return { out: r.stdout, fetched: [...r.stderr.matchAll(/HTTP: Fetch\((.*)\)/g)].map((m) => decodeURIComponent(m[1])) };
}

const AREA_MU = `floor(area_m2 / ${M2_PER_MU} * 100 + 0.5) / 100`;

describe.skipIf(!hasOgrinfo)('GDAL OAPIF and the CQL2 filter', () => {
  it('-where: GDAL filters on its side (the right count, no filter sent to the server by GDAL 3.6)', async () => {
    const { out, fetched } = ogrinfo(['-ro', '-so', '-where', "status = 'unsigned'", `OAPIF:${appUrl()}/ogc`, 'parcel']);
    const { rows: [want] } = await pool.query<{ n: number }>("SELECT count(*)::int n FROM parcel WHERE status = 'unsigned' AND geom IS NOT NULL");
    expect(Number(/Feature Count: (\d+)/.exec(out)?.[1])).toBe(want.n);
    const items = fetched.filter((u) => u.includes('/collections/parcel/items'));
    expect(items.length).toBeGreaterThan(0);
    // what this GDAL does, said by the test: if a later one sends the filter, the server answered it (the count above)
    const sent = items.some((u) => u.includes('filter='));
    console.info(`GDAL ${/GDAL (\S+)/.exec(spawnSync('ogrinfo', ['--version'], { encoding: 'utf8' }).stdout)?.[1]} ${sent ? 'sends' : 'does not send'} -where as filter (${items.length} item requests)`);
  });

  it('a filter on the collection URL goes to the server with every page: GDAL reads exactly the database’s features', async () => {
    const filter = "status = '未签约' AND area_mu > 5";
    const { out, fetched } = ogrinfo(['-ro', '-al', '-q', '-geom=NO', `OAPIF:${appUrl()}/ogc/collections/parcel?filter=${encodeURIComponent(filter)}`]);
    const want = (await pool.query<{ id: number; code: string }>(`SELECT id, code FROM parcel WHERE status = 'unsigned' AND ${AREA_MU} > 5 AND geom IS NOT NULL ORDER BY id`)).rows;
    expect(want.length).toBeGreaterThan(0);
    const items = fetched.filter((u) => u.includes('/collections/parcel/items'));
    expect(items.length).toBeGreaterThan(0);
    for (const u of items) expect(u).toContain(`filter=${filter}`);
    const codes = [...out.matchAll(/^\s+code \(String\) = (.*)$/gm)].map((m) => m[1].trim()).sort();
    expect(codes).toEqual(want.map((r) => r.code).sort());
  });
});
