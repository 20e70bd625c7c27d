// An export is named for the Beijing day it was made (geo/time.ts): at 07:30 Beijing time it is still
// the day before in UTC, and a file named from the UTC date was named for yesterday.
import { describe, expect, it } from 'vitest';
import { beijingDate, fileStamp } from '../../geo/time.ts';
import { download } from './helpers.ts';

describe('export file names', () => {
  it('carry the Beijing day: layer_YYYYMMDD_EPSGxxxx.ext', async () => {
    const before = fileStamp(beijingDate());
    const { status, headers } = await download('layer=command_area&format=geojson');
    const after = fileStamp(beijingDate());
    expect(status).toBe(200);
    const name = /filename="([^"]+)"/.exec(headers.get('content-disposition')!)![1];
    const stamp = /^command_area_(\d{8})_EPSG4490\.geojson$/.exec(name)?.[1];
    // a run across midnight Beijing time may see either day
    expect([before, after]).toContain(stamp);
  });
});
