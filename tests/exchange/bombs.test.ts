// Hostile uploads (issue #14): zip bombs by ratio and by absolute size, a zip whose central directory
// lies, shapefiles whose headers lie, GeoJSON nested 50,000 deep, random bytes as every format, a file
// too large to parse in the memory an import is given. Each is refused with a 413 or 422 whose message
// names the file (and the entry) and what was wrong, nothing is written, and the import's temporary
// folder is gone, however the request ended. The fixtures are built here: tests/fixtures/exchange/bombs.ts.
import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { IMPORT_DIR_PREFIX } from '../../server/exchange/limits.ts';
import {
  dbfClaiming, deepGeoJson, manyPoints, noise, shapefileZip, shpRecordClaiming, shxClaiming, shxListing, squares, withDeclaredSize, zeroBomb,
} from '../fixtures/exchange/bombs.ts';
import { api, appUrl, authHeaders, useTestPool } from '../helpers/db.ts';
import { observationsAbove, parseExposition, sum } from '../helpers/metrics.ts';
import { upload } from './helpers.ts';

const pool = useTestPool();
const honest = squares(3);
let batches: number;

/** The import folders in the temporary folder the server uses (the same as this process's: TMPDIR). */
const importDirs = () => readdirSync(os.tmpdir()).filter((n) => n.startsWith(IMPORT_DIR_PREFIX)).sort();
let dirsBefore: string[];

async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) if (await check()) return true;
  return check();
}

const batchCount = async () => (await pool.query(`SELECT count(*)::int n FROM import_batch`)).rows[0].n as number;

beforeEach(async () => {
  batches = await batchCount();
  dirsBefore = importDirs();
});

const MB = 1024 * 1024;
const scrape = async () => parseExposition(await (await api('/metrics', { who: 'admin' })).text());

/**
 * `fn` while the server's /metrics is read every 25 ms: its resident memory may rise at most 300 MB
 * above the figure before, and (on PostgreSQL) its event loop may not stall for 100 ms or more
 * meanwhile. The embedded database runs its queries on the server's own thread, so there a stall
 * says how long a query took, not whether parsing left the thread.
 */
async function bounded<T>(fn: () => Promise<T>): Promise<T> {
  const before = await scrape();
  const idle = sum(before, 'process_resident_memory_bytes');
  let peak = idle;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, sum(await scrape(), 'process_resident_memory_bytes'));
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const out = await fn().finally(() => { done = true; });
  await sampler;
  await new Promise((r) => setTimeout(r, 30)); // the event-loop watch's next tick records a stall that just ended
  const after = await scrape();
  expect((peak - idle) / MB, 'MB of resident memory above idle').toBeLessThan(300);
  if (inject('backend') === 'postgres') {
    expect(observationsAbove(after, 'eventloop_delay_seconds', 0.1) - observationsAbove(before, 'eventloop_delay_seconds', 0.1), 'event-loop stalls of 100 ms or more').toBe(0);
  }
  return out;
}

/** Upload, expect a refusal naming the file; nothing written, no folder left; memory and event loop bounded meanwhile. */
async function refused(name: string, data: Buffer | string, status: number): Promise<any> {
  const res = await bounded(() => upload([{ name, data }]));
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.message.startsWith(name), res.body.message).toBe(true);
  expect(res.body.params.file.startsWith(name), res.body.params.file).toBe(true);
  expect(await batchCount()).toBe(batches);
  // refusals answer after the folder is removed
  expect(importDirs()).toEqual(dirsBefore);
  return res.body;
}

describe('zip bombs', () => {
  it('an honest shapefile zip built the same way is read (the control)', async () => {
    const res = await upload([{ name: 'squares.zip', data: await shapefileZip(honest) }]);
    expect(res.status).toBe(201);
    expect(res.body.counts.features).toBe(3);
    expect(await until(() => importDirs().length === dirsBefore.length)).toBe(true);
  });

  it('by ratio: 50 MB of zeros in 50 KB is refused before inflating (413, the entry and the ratio named)', async () => {
    const body = await refused('ratio.zip', zeroBomb('parcel.shp', 50), 413);
    expect(body.error).toBe('import_limit');
    expect(body.params).toMatchObject({ where: 'parcel.shp', limit: 'compression_ratio', max: 200 });
    expect(body.message).toMatch(/more than 200 times/);
  });

  it('by absolute size: 600 MB in 600 KB is refused before inflating (413, IMPORT_MAX_UNCOMPRESSED_MB named)', async () => {
    const body = await refused('size.zip', zeroBomb('parcel.shp', 600), 413);
    expect(body.params).toMatchObject({ limit: 'uncompressed_size', max: 500 });
    expect(body.message).toMatch(/more than 500 MB \(IMPORT_MAX_UNCOMPRESSED_MB\)/);
  });

  it('a central directory that declares 1,000 bytes for 50 MB: inflating stops at the lie (422)', async () => {
    const lying = withDeclaredSize(zeroBomb('parcel.shp', 50), 'parcel.shp', 1000);
    const body = await refused('lying.zip', lying, 422);
    expect(body.error).toBe('file_unreadable');
    expect(body.params.where).toBe('parcel.shp');
    expect(body.message).toMatch(/inflates to more than the 1000 bytes its header declares/);
  });
});

describe('shapefile headers that lie about their files', () => {
  it('a .shx whose header claims 8 million records in a 124-byte file (422 naming the .shx)', async () => {
    const body = await refused('shx-claims.zip', await shapefileZip(shxClaiming(honest, 8_000_000)), 422);
    expect(body.message).toBe('shx-claims.zip: parcel.shx: truncated: the header says 64000100 bytes, the file has 124');
  });

  it('a .shx listing 200,000 records for a .shp that can hold 3 (422, refused before a record is read)', async () => {
    const body = await refused('shx-lists.zip', await shapefileZip(shxListing(honest, 200_000)), 422);
    expect(body.message).toBe('shx-lists.zip: parcel.shx: lists 200000 records, but the .shp (508 bytes) can hold at most 34');
  });

  it('the 94 KB zip holding an 8-million-record .shx (the issue\'s case) is refused at once', async () => {
    const zip = await shapefileZip(shxListing(honest, 8_000_000));
    expect(zip.length).toBeLessThan(100_000);
    const body = await refused('shx-8m.zip', zip, 413);
    expect(body.params).toMatchObject({ where: 'parcel.shx', limit: 'compression_ratio' });
  });

  it('a .dbf whose header claims 8 million records (422 naming the .dbf and the sizes)', async () => {
    const body = await refused('dbf-claims.zip', await shapefileZip(dbfClaiming(honest, 8_000_000)), 422);
    expect(body.message).toBe('dbf-claims.zip: parcel.dbf: the header declares 8000000 records of 21 bytes (168000065 bytes with the header), the file has 129');
  });

  it('a .shp record whose content length runs past the file (422 naming the record)', async () => {
    const body = await refused('shp-claims.zip', await shapefileZip(shpRecordClaiming(honest, 1 << 30)), 422);
    expect(body.message).toBe('shp-claims.zip: parcel.shp (record 1): its header says 1073741824 bytes, past the end of the file');
  });
});

describe('text', () => {
  it('a GeoJSON nested 50,000 deep is refused before it is parsed (422)', async () => {
    const body = await refused('deep.geojson', deepGeoJson(50_000), 422);
    expect(body.message).toMatch(/nested more than 32 levels deep/);
  });
});

describe('5 MB of random bytes as every import format', () => {
  const bytes = noise(5 << 20);
  it.each(['zip', 'shp', 'gpkg', 'geojson', 'json', 'kml', 'dxf', 'csv', 'txt', 'xlsx'])('.%s: 422 naming the file', async (ext) => {
    const body = await refused(`noise.${ext}`, bytes, 422);
    expect(body.error).toBe('file_unreadable');
  });
});

describe('memory', () => {
  it('a GeoJSON of a million points (85 MB), more than a parse worker\'s heap holds: 413 naming the file before it is read', async () => {
    const body = await refused('million.geojson', manyPoints(1_000_000), 413);
    expect(body.params).toMatchObject({ limit: 'memory', max: 256 });
    expect(body.message).toMatch(/^million\.geojson: \d+(\.\d)? MB: a geojson file is read whole/);
    expect((await fetch(`${appUrl().replace(/\/$/, '')}/health`)).status).toBe(200);
  });

});

describe('temporary files are removed however the request ends', () => {
  /** A multipart upload of `data` written by hand, the connection cut `after` ms after the body is sent (or, if `midway`, half-way through it). */
  function cutUpload(name: string, data: Buffer, opts: { midway?: boolean; after?: number }): Promise<void> {
    const boundary = 'zs-bombs-boundary';
    const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL(`${appUrl().replace(/\/$/, '')}/api/import`);
    return new Promise((resolve) => {
      const req = request(url, {
        method: 'POST',
        headers: { ...authHeaders(), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + data.length + tail.length) },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(head);
      if (opts.midway) {
        req.write(data.subarray(0, data.length >> 1), () => setTimeout(() => req.destroy(), 200));
        return;
      }
      req.write(data);
      req.end(tail, () => setTimeout(() => req.destroy(), opts.after ?? 0));
    });
  }

  it('a client that goes away half-way through its upload', async () => {
    await cutUpload('half.geojson', manyPoints(400_000), { midway: true });
    expect(await until(() => importDirs().length === dirsBefore.length)).toBe(true);
    expect(importDirs()).toEqual(dirsBefore);
    expect(await batchCount()).toBe(batches);
  });

  it('a client that goes away while its file is parsed (the parse worker stops; no preview is made)', async () => {
    await cutUpload('gone.geojson', manyPoints(300_000), { after: 300 });
    expect(await until(() => importDirs().length === dirsBefore.length)).toBe(true);
    expect(importDirs()).toEqual(dirsBefore);
    expect(await batchCount()).toBe(batches);
  });
});
