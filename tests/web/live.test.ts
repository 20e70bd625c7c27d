// The live map in real Chromium against the real server (issue 15, "Change stream to browsers"):
// two browsers, an editor and a viewer, on one server; what one saves shows on both maps within 1 s
// (the bound the issue states), in the viewer's open popup, and after a dropped stream or a server
// restart. Screenshots go to tests/.output/.
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { booleanPointInPolygon, centroid } from '@turf/turf';
import { TAKE_STATUS, TAKE_STATUS_NEXT } from '../../geo/domain.ts';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import { launchChromium, newPage } from '../helpers/browser.ts';
import { api, useTestPool } from '../helpers/db.ts';
import { freePort } from '../helpers/cluster.ts';
import { decodeTile } from '../helpers/tiles.ts';
import { polylabel } from '../../web/src/map/labelpoints.ts';
import { tilesTouching, type BBox } from '../../web/src/map/live.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const baseUrl = inject('appUrl').replace(/\/$/, '');
const pool = useTestPool();
/** the bound the issue states: every open map applies a change within 1 s */
const WITHIN_MS = 1000;

type MultiPolygon = GeoJSON.MultiPolygon;

interface Parcel {
  id: number;
  code: string;
  geometry: MultiPolygon;
  /** a point well inside it */
  inside: [number, number];
  /** a point inside it near its south edge: a popup opened there (below it) leaves the parcel in sight */
  low: [number, number];
}

/**
 * Parcels of command area 1 (the `editor` account's) in a given status: one part, a handful of
 * vertices, nothing drawn on top of them (no house, no problem), so a click on one hits the parcel.
 */
async function parcels(status: string, n: number): Promise<Parcel[]> {
  const { rows } = await pool.query<{ id: number; code: string; g: string }>(
    `SELECT p.id, p.code, ST_AsGeoJSON(p.geom, 7) AS g
       FROM parcel p JOIN project pr ON pr.id = p.project_id
      WHERE pr.command_area_id = 1 AND p.status = $1 AND ST_NumGeometries(p.geom) = 1
        AND ST_NPoints(p.geom) BETWEEN 5 AND 16 AND ST_Area(p.geom::geography) BETWEEN 1500 AND 20000
        AND NOT EXISTS (SELECT 1 FROM house h WHERE ST_DWithin(h.geom, p.geom, 0.0005))
        AND NOT EXISTS (SELECT 1 FROM problem q WHERE ST_DWithin(q.geom, p.geom, 0.002))
      ORDER BY p.id LIMIT $2`, [status, n]);
  return rows.map((r) => {
    const geometry = JSON.parse(r.g) as MultiPolygon;
    const inside = polylabel(geometry.coordinates[0], 1e-7);
    let south = inside[1];
    for (let y = inside[1]; y > inside[1] - 0.01 && booleanPointInPolygon([inside[0], y], geometry); y -= 1e-6) south = y;
    const low: [number, number] = [inside[0], south + (inside[1] - south) * 0.2];
    return { id: r.id, code: r.code, geometry, inside, low };
  });
}

/** The bbox of a geometry. */
function bboxOf(g: MultiPolygon): BBox {
  const pts = g.coordinates.flat(2);
  return [Math.min(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[1]))];
}

/**
 * The parcel with one vertex moved inward (halfway to its centre), and a point the old shape covers and
 * the new one does not. Inward: parcels of one project may not overlap (parcel_overlap), and outward
 * runs into the neighbour.
 */
function movedVertex(p: Parcel): { geometry: GeoJSON.Polygon; probe: [number, number] } {
  const ring = p.geometry.coordinates[0][0];
  const c = centroid(p.geometry).geometry.coordinates;
  // northern vertices first: the popup, opened at the parcel's south, does not hide them
  const order = ring.slice(0, -1).map((v, i) => ({ v, i })).sort((a, b) => b.v[1] - a.v[1]).map((x) => x.i);
  for (const i of order) {
    const v = ring[i];
    const moved = [v[0] + (c[0] - v[0]) * 0.5, v[1] + (c[1] - v[1]) * 0.5];
    const next = ring.map((q, j) => (j === i || (i === 0 && j === ring.length - 1) ? moved : q));
    const geometry: GeoJSON.Polygon = { type: 'Polygon', coordinates: [next] };
    const probe: [number, number] = [v[0] + (moved[0] - v[0]) * 0.5, v[1] + (moved[1] - v[1]) * 0.5];
    if (!booleanPointInPolygon(probe, geometry) && booleanPointInPolygon(probe, p.geometry)) return { geometry, probe };
  }
  throw new Error(`parcel ${p.id}: no vertex to move inward`);
}

/**
 * A write through the feature API as a test account: read for the ETag, then PATCH with If-Match.
 * `sent`: when the PATCH left (the time from it to a map showing the change includes the write itself:
 * an upper bound on the delay after the commit).
 */
async function patch(who: string, collection: string, id: number, change: object): Promise<{ status: number; sent: number; version: number }> {
  const read = await api(`/ogc/collections/${collection}/items/${id}`, { who });
  expect(read.status).toBe(200);
  const sent = Date.now();
  const res = await api(`/ogc/collections/${collection}/items/${id}`, {
    who, method: 'PATCH', body: JSON.stringify(change),
    headers: { 'content-type': 'application/merge-patch+json', 'if-match': read.headers.get('etag')! },
  });
  const body = (await res.json()) as { properties?: { version?: number } };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { status: res.status, sent, version: Number(body.properties?.version) };
}

async function idle(page: Page): Promise<void> {
  await page.evaluate(() => window.__zs!.idle());
}

/** A page of the map as a test account, at a point and zoom, once everything there has loaded. */
async function openAt(
  browser: Browser, who: string, center: [number, number], zoom: number,
  opts: { origin?: string; before?: (page: Page) => Promise<unknown> | void; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const origin = opts.origin ?? baseUrl;
  const page = await newPage(browser, { who, viewport: opts.viewport ?? { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page.on('pageerror', (err) => console.error(`[${who}] ${String(err)}`));
  await opts.before?.(page);
  await page.goto(`${origin}/?lang=zh`);
  await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
  await jumpTo(page, center, zoom);
  return page;
}

/** Show a place at a zoom, 120 px above the map's middle (room for a popup below it). */
async function jumpTo(page: Page, center: [number, number], zoom: number): Promise<void> {
  await page.evaluate(([c, z]) => {
    const map = window.__map!;
    map.jumpTo({ zoom: z as number, center: c as [number, number] });
    map.panBy([0, 120], { duration: 0 });
  }, [center, zoom] as const);
  await idle(page);
}

/** Click the map at a place (the identify popup opens). */
async function clickAt(page: Page, at: [number, number]): Promise<void> {
  const xy = await page.evaluate((p) => window.__map!.project(p as [number, number]), at);
  const canvas = (await page.locator('.maplibregl-canvas').boundingBox())!;
  await page.mouse.click(canvas.x + xy.x, canvas.y + xy.y);
}

/**
 * In the page: the time (ms since the epoch, the machine's clock as the test's) at which the parcel
 * layer's rendered features at `at` first include the parcel (with `status`, if given); checked
 * every frame. `gone`: at which they first do not.
 */
function watchParcel(page: Page, id: number, at: [number, number], opts: { status?: string; gone?: boolean } = {}): Promise<number> {
  return page.evaluate(([fid, p, status, gone]) => new Promise<number>((resolve) => {
    const map = window.__map!;
    const check = () => {
      const f = map.queryRenderedFeatures(map.project(p as [number, number]), { layers: ['parcel-fill'] }).find((x) => x.id === fid);
      const hit = f !== undefined && (!status || f.properties.status === status);
      if (gone ? !f : hit) resolve(Date.now());
      else requestAnimationFrame(check);
    };
    check();
  }), [id, at, opts.status ?? null, opts.gone ?? false] as const);
}

/** What the parcel layer draws at a place for a parcel: its status, or null when it draws nothing of it. */
function renderedStatus(page: Page, id: number, at: [number, number]): Promise<string | null> {
  return page.evaluate(([fid, p]) => {
    const map = window.__map!;
    const f = map.queryRenderedFeatures(map.project(p as [number, number]), { layers: ['parcel-fill'] }).find((x) => x.id === fid);
    return f ? String(f.properties.status) : null;
  }, [id, at] as const);
}

/** In the page: the time at which the open popup's row `key` first reads `text`. */
function watchPopup(page: Page, key: string, text: string): Promise<number> {
  return page.evaluate(([k, want]) => new Promise<number>((resolve) => {
    const check = () => {
      const cell = document.querySelector(`[data-testid="identify"] tr[data-key="${k}"] td`);
      if (cell?.textContent?.includes(want)) resolve(Date.now());
      else requestAnimationFrame(check);
    };
    check();
  }), [key, text] as const);
}

const delays: Record<string, number[]> = {};
function record(name: string, ms: number): void {
  (delays[name] ??= []).push(ms);
}

/** Where a lon/lat falls in the tile grid at zoom z (fractional tile x, y). */
function tileXY(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return [((lon + 180) / 360) * n, ((1 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / Math.PI) / 2) * n];
}
/** The tile z/x/y that holds a lon/lat. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const [x, y] = tileXY(lon, lat, z);
  return [Math.floor(x), Math.floor(y)];
}

describe('the tiles a change refreshes', () => {
  it('include every tile the server draws the feature in, the ones it reaches through the tile buffer too', async () => {
    // a parcel close to a z16 tile edge without crossing it: the neighbour tile holds it through the buffer only
    const near = (await parcels('unsigned', 400)).concat(await parcels('signed', 400)).find((p) => {
      const b = bboxOf(p.geometry);
      const [x0, y0] = tileXY(b[0], b[3], 16);
      const [x1, y1] = tileXY(b[2], b[1], 16);
      if (Math.floor(x0) !== Math.floor(x1) || Math.floor(y0) !== Math.floor(y1)) return false;
      // a side within 20 of the tile's 4096 units from its edge (the buffer is 64)
      const edge = 20 / 4096;
      return x0 % 1 < edge || x1 % 1 > 1 - edge || y0 % 1 < edge || y1 % 1 > 1 - edge;
    });
    expect(near, 'a parcel next to a z16 tile edge').toBeDefined();
    const b = bboxOf(near!.geometry);
    const refreshed = new Set(tilesTouching(b, 13, 16)!.map((t) => `${t.z}/${t.x}/${t.y}`));
    const drawnIn: string[] = [];
    for (let z = 13; z <= 16; z++) {
      const [xa, ya] = tileOf(b[0], b[3], z);
      const [xb, yb] = tileOf(b[2], b[1], z);
      for (let x = xa - 2; x <= xb + 2; x++) {
        for (let y = ya - 2; y <= yb + 2; y++) {
          const res = await api(`/tiles/parcel/${z}/${x}/${y}.mvt`);
          expect(res.status).toBeLessThan(300);
          const features = decodeTile(await res.arrayBuffer(), z, x, y).parcel ?? [];
          if (features.some((f) => f.id === near!.id)) drawnIn.push(`${z}/${x}/${y}`);
        }
      }
    }
    const [x16, y16] = tileOf(b[0], b[1], 16);
    expect(drawnIn.filter((k) => k.startsWith('16/')).length, 'the server draws it in a neighbour z16 tile (its buffer)').toBeGreaterThan(1);
    expect(drawnIn).toContain(`16/${x16}/${y16}`);
    expect(drawnIn.filter((k) => !refreshed.has(k)), 'tiles holding the parcel that a change would not refresh').toEqual([]);
  });
});

describe('live map', () => {
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(outDir, { recursive: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (Object.keys(delays).length) console.log('live map delays (ms):', JSON.stringify(delays));
  });

  describe('two browsers, an editor and a viewer, on one server', () => {
    let editor: Page;
    let viewer: Page;
    let target: Parcel;
    let second: Browser;

    beforeAll(async () => {
      [target] = await parcels('signed', 1);
      expect(target, 'a signed parcel of command area 1 to edit').toBeDefined();
      // two browsers (each with its own processes, as on two people's machines), not two tabs of one
      second = await launchChromium();
      // A laptop's window: headless Chromium draws with a software rasteriser, whose frame time grows
      // with the pixels (here 1440×900: 0.6–0.8 s a frame on a busy 2-core machine, 1024×640: 0.3–0.4 s);
      // the bound is on the change reaching the map, not on the rasteriser
      const viewport = { width: 1024, height: 640 };
      [editor, viewer] = await Promise.all([openAt(browser, 'editor', target.inside, 16, { viewport }), openAt(second, 'viewer', target.inside, 16, { viewport })]);
      for (const page of [editor, viewer]) expect(await renderedStatus(page, target.id, target.inside)).toBe('signed');
      // the viewer has the parcel's popup open
      await clickAt(viewer, target.low);
      await viewer.locator('[data-testid="identify"] tr[data-key="status"] td', { hasText: '已签约' }).waitFor({ timeout: 10_000 });
      expect(await viewer.locator('[data-testid="identify"]').getAttribute('data-feature')).toBe(String(target.id));
    });

    afterAll(async () => {
      await editor?.close();
      await viewer?.close();
      await second?.close();
    });

    // One retry: the bound is on a shared 2-core machine drawing with a software rasteriser, where a
    // burst of load can hold one frame past it; a slowdown of the code fails both tries. Each try takes
    // the parcel one step on (已签约 → 已付款, then 已付款 → 已交地), so a retry starts from where the first left it.
    it('the editor saves a status change in the editor: both maps draw the new status and the viewer’s popup shows it within 1 s', { retry: 1 }, async () => {
      if (await editor.locator('select[name="status"]').isVisible()) {
        // a retry: the first try left the edit form open; start again from a fresh page
        await editor.reload();
        await editor.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
        await jumpTo(editor, target.inside, 16);
        await idle(editor);
      }
      await clickAt(editor, target.low);
      await editor.locator('[data-testid="identify"]').waitFor();
      await editor.click('[data-testid="edit-selected"]');
      await editor.locator('select[name="status"]').waitFor();
      const current = await editor.locator('select[name="status"]').inputValue() as keyof typeof TAKE_STATUS_NEXT;
      expect(['signed', 'paid']).toContain(current);
      const next = TAKE_STATUS_NEXT[current][0];
      await editor.selectOption('select[name="status"]', next);

      const seen = Promise.all([
        watchParcel(editor, target.id, target.inside, { status: next }),
        watchParcel(viewer, target.id, target.inside, { status: next }),
        watchPopup(viewer, 'status', TAKE_STATUS[next].zh),
      ]);
      const patched = editor.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/ogc/collections/parcel/items/${target.id}`));
      await editor.click('[data-testid="save"]');
      const response = await patched;
      await response.finished();
      // when the server's answer to the save came in (Playwright's timing: ms since the epoch, the test's clock)
      const timing = response.request().timing();
      const saved = timing.startTime + timing.responseEnd;
      await expect.poll(() => editor.locator('.notice').innerText()).toMatch(/已保存（版本 \d+）/);
      const [editorAt, viewerAt, popupAt] = await seen;
      record('status: editor map', editorAt - saved);
      record('status: viewer map', viewerAt - saved);
      record('status: viewer popup', popupAt - saved);
      expect(editorAt - saved, 'the editor’s own map').toBeLessThanOrEqual(WITHIN_MS);
      expect(viewerAt - saved, 'the viewer’s map').toBeLessThanOrEqual(WITHIN_MS);
      expect(popupAt - saved, 'the viewer’s popup').toBeLessThanOrEqual(WITHIN_MS);
      // the viewer's selection highlight stays on the parcel
      expect(await viewer.evaluate((id) => window.__map!.getFeatureState({ source: 'zs-parcel', sourceLayer: 'parcel', id }).selected, target.id)).toBe(true);
      await idle(editor);
      await idle(viewer);
      await editor.screenshot({ path: path.join(outDir, 'live-status-editor.png') });
      await viewer.screenshot({ path: path.join(outDir, 'live-status-viewer.png') });
    });

    it('the editor moves a vertex through the feature API: both maps, zoomed in past the tiles’ last zoom, draw the new shape within 1 s', async () => {
      const { geometry, probe } = movedVertex(target);
      // zoom 17.5: the z16 tiles drawn overzoomed
      await Promise.all([jumpTo(editor, target.inside, 17.5), jumpTo(viewer, target.inside, 17.5)]);
      for (const page of [editor, viewer]) expect(await renderedStatus(page, target.id, probe)).not.toBeNull();
      const seen = Promise.all([watchParcel(editor, target.id, probe, { gone: true }), watchParcel(viewer, target.id, probe, { gone: true })]);
      const { sent: at } = await patch('editor', 'parcel', target.id, { geometry });
      const [editorAt, viewerAt] = await seen;
      // from the PATCH leaving the test (the write included)
      record('vertex: editor map', editorAt - at);
      record('vertex: viewer map', viewerAt - at);
      expect(editorAt - at, 'the editor’s map').toBeLessThanOrEqual(WITHIN_MS);
      expect(viewerAt - at, 'the viewer’s map').toBeLessThanOrEqual(WITHIN_MS);
      await idle(viewer);
      await viewer.screenshot({ path: path.join(outDir, 'live-vertex-viewer.png') });
      await editor.screenshot({ path: path.join(outDir, 'live-vertex-editor.png') });
    });
  });

  it('an open popup of a feature deleted meanwhile says it was deleted', async () => {
    const [p] = await parcels('unsigned', 1);
    const viewer = await openAt(browser, 'viewer', p.inside, 16);
    try {
      await clickAt(viewer, p.low);
      await viewer.locator(`[data-testid="identify"][data-feature="${p.id}"]`).waitFor({ timeout: 10_000 });
      const read = await api(`/ogc/collections/parcel/items/${p.id}`, { who: 'editor' });
      const res = await api(`/ogc/collections/parcel/items/${p.id}`, { who: 'editor', method: 'DELETE', headers: { 'if-match': read.headers.get('etag')! } });
      expect(res.status).toBeLessThan(300);
      await viewer.locator('[data-testid="identify-gone"]', { hasText: '该要素已被删除' }).waitFor({ timeout: 10_000 });
      await viewer.waitForFunction(([id, at]) => {
        const map = window.__map!;
        return !map.queryRenderedFeatures(map.project(at as [number, number]), { layers: ['parcel-fill'] }).some((f) => f.id === id);
      }, [p.id, p.inside] as const, { timeout: 10_000 });
      await idle(viewer);
      await viewer.screenshot({ path: path.join(outDir, 'live-deleted-viewer.png') });
    } finally {
      await viewer.close();
    }
  });

  describe('a dropped connection', () => {
    /**
     * The page reaches the server through a TCP relay of the test's own, which can drop every
     * connection and refuse new ones for a while: the network going away and coming back.
     */
    async function openThroughRelay(who: string, at: [number, number]) {
      const target = new URL(baseUrl);
      const sockets = new Set<net.Socket>();
      let down = false;
      const relay = net.createServer((client) => {
        if (down) return void client.destroy();
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      const origin = `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
      const resumed: string[] = [];
      const page = await openAt(browser, who, at, 16, {
        origin,
        before: (pg) => void pg.on('request', async (r) => {
          const last = r.url().includes('/api/changes') ? (await r.allHeaders())['last-event-id'] : undefined;
          if (last) resumed.push(last);
        }),
      });
      return {
        page,
        /** the Last-Event-ID of each reconnect of the change stream */
        resumed,
        drop() {
          down = true;
          for (const s of sockets) s.destroy();
        },
        restore() {
          down = false;
        },
        async close() {
          await page.close();
          for (const s of sockets) s.destroy();
          await new Promise((r) => relay.close(r));
        },
      };
    }

    it('resumes with Last-Event-ID and brings the change made while it was down', async () => {
      const [p] = await parcels('signed', 1);
      const link = await openThroughRelay('viewer', p.inside);
      try {
        expect(await renderedStatus(link.page, p.id, p.inside)).toBe('signed');
        link.drop();
        // the stream is down: a change now is not seen...
        await patch('editor', 'parcel', p.id, { properties: { status: 'paid' } });
        expect(await renderedStatus(link.page, p.id, p.inside)).toBe('signed');
        // ...until it is back, resuming where it stood (the same server process: what was missed is replayed)
        link.restore();
        await watchParcel(link.page, p.id, p.inside, { status: 'paid' });
        expect(link.resumed.at(-1)).toMatch(/^[0-9a-f]+-\d+$/);
      } finally {
        await link.close();
      }
    });

    it('says so in the status bar while it stays down, and nothing once back', async () => {
      const [p] = await parcels('unsigned', 1);
      const link = await openThroughRelay('viewer', p.inside);
      const notice = link.page.locator('[data-testid="live-down"]');
      try {
        expect(await notice.count()).toBe(0);
        link.drop();
        await expect.poll(() => notice.count(), { timeout: 15_000 }).toBe(1);
        expect(await notice.innerText()).toBe('实时更新已断开，正在重连…');
        await link.page.screenshot({ path: path.join(outDir, 'live-down-status.png') });
        link.restore();
        await expect.poll(() => notice.count(), { timeout: 15_000 }).toBe(0);
      } finally {
        await link.close();
      }
    });
  });

  describe.runIf(inject('backend') === 'postgres')('a server restart', () => {
    it('ends in a full refresh that shows the change made while the server was down', async () => {
      const [p] = await parcels('signed', 1);
      // a server of this test's own on the same database, restarted on the same port
      const port = await freePort();
      const config = () => loadConfig({ ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: inject('databaseUrl'), PUBLIC_READ: 'false', LOGINS_PER_MINUTE: '10000' });
      const log = pino({ level: 'warn' });
      let server: RunningServer | null = await startServer(config(), log);
      const resumed: string[] = [];
      let page: Page | null = null;
      try {
        page = await openAt(browser, 'viewer', p.inside, 16, {
          origin: server.url,
          before: (pg) => void pg.on('request', async (r) => {
            const last = r.url().includes('/api/changes') ? (await r.allHeaders())['last-event-id'] : undefined;
            if (last) resumed.push(last);
          }),
        });
        expect(await renderedStatus(page, p.id, p.inside)).toBe('signed');
        await server.close();
        server = null;
        // written through the shared server while this one is down
        await patch('editor', 'parcel', p.id, { properties: { status: 'paid' } });
        server = await startServer(config(), log);
        await watchParcel(page, p.id, p.inside, { status: 'paid' });
        // it came back asking to resume from where the old process stood
        expect(resumed.length).toBeGreaterThan(0);
        await idle(page);
        await page.screenshot({ path: path.join(outDir, 'live-restart-viewer.png') });
      } finally {
        await page?.close();
        await server?.close();
      }
    });
  });

  it('the dashboard’s map colours and figures follow a parcel handed over', async () => {
    const { rows } = await pool.query<{ id: number; project_id: number }>(
      `SELECT p.id, p.project_id FROM parcel p JOIN project pr ON pr.id = p.project_id
        WHERE p.status = 'paid' AND pr.land_target_mu > 0 AND ST_Area(p.geom::geography) > 3000 ORDER BY p.id LIMIT 1`);
    expect(rows.length).toBe(1);
    const { id, project_id: project } = rows[0];
    const page = await newPage(browser, { who: 'viewer', viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    try {
      await page.goto(`${baseUrl}/dashboard.html?lang=zh`);
      await page.waitForFunction(() => (window as any).__dash && (window as any).__dashMap, undefined, { timeout: 30_000 });
      await page.evaluate(() => (window as any).__dash.idle());
      await page.waitForFunction(() => (window as any).__dash.state().mapProgress?.asOf === (window as any).__dash.state().asOf, undefined, { timeout: 30_000 });
      const pctOf = () => page.evaluate((pid) => (window as any).__dashMap.getFeatureState({ source: 'dash-red_line', id: pid }).pct as number | null, project);
      const before = await pctOf();
      const landBefore = await page.locator('[data-testid="land-completed"]').innerText();
      const seen = page.evaluate(([pid, was]) => new Promise<number>((resolve) => {
        const check = () => {
          const pct = (window as any).__dashMap.getFeatureState({ source: 'dash-red_line', id: pid }).pct;
          if (pct !== was) resolve(Date.now());
          else setTimeout(check, 10);
        };
        check();
      }), [project, before] as const);
      const { sent: at } = await patch('tester', 'parcel', id, { properties: { status: 'handed_over' } });
      const coloured = await seen;
      record('dashboard colours', coloured - at);
      expect(await pctOf()).toBeGreaterThan(before ?? 0);
      await expect.poll(() => page.locator('[data-testid="land-completed"]').innerText(), { timeout: 10_000 }).not.toBe(landBefore);
      await page.evaluate(() => (window as any).__dash.idle());
      await page.screenshot({ path: path.join(outDir, 'live-dashboard.png') });
      expect(coloured - at, 'the dashboard’s colours').toBeLessThanOrEqual(WITHIN_MS);
    } finally {
      await page.close();
    }
  });
});
