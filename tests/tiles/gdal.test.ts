// A client nobody here wrote: GDAL's MVT driver reads our tiles and finds the same features.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasProgram } from '../helpers/tools.ts';
import { api, appUrl, useTestPool } from '../helpers/db.ts';
import { decodeTile, tileOver } from '../helpers/tiles.ts';

const pool = useTestPool();
const hasOgrinfo = hasProgram('ogrinfo', ['--version'], 'tiles/gdal.test', 'gdal-bin');

describe.skipIf(!hasOgrinfo)('GDAL reads the tiles', () => {
  it('finds the same feature count per layer in a multi-layer tile', async () => {
    const t = await tileOver(pool, 'parcel', 15);
    const res = await api(`${appUrl()}/tiles/parcel,red_line/${t.z}/${t.x}/${t.y}.mvt`);
    const body = new Uint8Array(await res.arrayBuffer());
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'zs-mvt-')), `${t.y}.mvt`);
    writeFileSync(file, body);
    const ours = decodeTile(body, t.z, t.x, t.y);
    const out = execFileSync('ogrinfo', ['-ro', '-so', '-al', '-oo', `X=${t.x}`, '-oo', `Y=${t.y}`, '-oo', `Z=${t.z}`, file]).toString();
    const counts = Object.fromEntries([...out.matchAll(/Layer name: (\w+)[\s\S]*?Feature Count: (\d+)/g)].map((m) => [m[1], Number(m[2])]));
    expect(counts).toEqual({ parcel: ours.parcel.length, red_line: ours.red_line.length });
  });
});
