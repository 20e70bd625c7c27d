// The shareable link's text (web/src/map/permalink.ts): ids compact and back, what a link says with
// unknown layers and malformed parts left out, and when a selection goes in as the table's query.
import { describe, expect, it } from 'vitest';
import { decodeIds, encodeIds, readLink, selectionParam, SELECTION_MAX_CHARS, viewParam, writeLink } from '../../web/src/map/permalink.ts';

const KNOWN = new Set(['parcel', 'red_line', 'military_land']);

describe('the shareable link', () => {
  it('encodes ids as gaps and runs, and decodes them back', () => {
    expect(encodeIds([3, 4, 5, 6, 40])).toBe('3~3.y');
    expect(encodeIds([40, 3, 3, 4])).toBe('3~1.10');
    expect(encodeIds([])).toBe('');
    let seed = 7;
    const rnd = () => (seed = (seed * 48271) % 2147483647);
    const ids = [...new Set(Array.from({ length: 5000 }, () => 1 + (rnd() % 200000)))].sort((a, b) => a - b);
    expect(decodeIds(encodeIds(ids))).toEqual(ids);
    for (const bad of ['x!', '0', '3.0', '3~', '.', 'zzzzzzzz']) expect(decodeIds(bad), bad).toBeNull();
  });

  it('reads what a link says, leaving out unknown layers and malformed parts', () => {
    const link = readLink('?map=16.25/23.1/109.6/20&layers=parcel,nope,red_line&sel=parcel:3~3.y&table=military_land&where=code%20%3D%20%27a%27&asOf=2022-03-31', KNOWN);
    expect(link).toEqual({
      view: { center: [109.6, 23.1], zoom: 16.25, bearing: 20 },
      layers: ['parcel', 'red_line'],
      selection: { layerId: 'parcel', ids: [3, 4, 5, 6, 40] },
      table: { layerId: 'military_land', filter: "code = 'a'" },
    });
    expect(readLink('?map=abc&sel=nope:3&table=nope', KNOWN)).toEqual({});
    expect(readLink('?sel=parcel:query', KNOWN).selection).toEqual({ layerId: 'parcel', byQuery: true });
    expect(readLink('?map=30/23/109', KNOWN).view).toBeUndefined();
  });

  it('writes its own keys and leaves the others (the date, the language) as they are', () => {
    const url = new URL('http://x/?lang=zh&asOf=2022-03-31&where=old');
    writeLink(url, { view: { center: [109.6, 23.1], zoom: 16.254, bearing: 0 }, layers: ['parcel'], selection: 'parcel:3', table: null });
    expect(url.searchParams.get('map')).toBe('16.25/23.100000/109.600000');
    expect(url.searchParams.get('asOf')).toBe('2022-03-31');
    expect(url.searchParams.get('lang')).toBe('zh');
    expect(url.searchParams.has('where')).toBe(false);
    // readable as written: '/', ',', ':' and '~' not escaped
    writeLink(url, { view: { center: [109.6, 23.1], zoom: 16, bearing: 0 }, layers: ['parcel', 'red_line'], selection: 'parcel:3~3.y', table: { layerId: 'parcel', filter: "status IN ('signed', 'paid')" } });
    expect(url.search).toContain('map=16/23.100000/109.600000&layers=parcel,red_line&sel=parcel:3~3.y');
    expect(readLink(url.search, KNOWN)).toMatchObject({ layers: ['parcel', 'red_line'], selection: { layerId: 'parcel', ids: [3, 4, 5, 6, 40] }, table: { layerId: 'parcel', filter: "status IN ('signed', 'paid')" } });
    expect(viewParam({ center: [0, 0], zoom: 3, bearing: -45.04 })).toBe('3/0.000000/0.000000/-45');
  });

  it('a selection too long for a link goes in as the table query on its layer, else not at all', () => {
    const long = Array.from({ length: 3000 }, (_, i) => 1 + i * 37);
    expect(encodeIds(long).length).toBeGreaterThan(SELECTION_MAX_CHARS);
    expect(selectionParam({ layerId: 'parcel', ids: long }, { layerId: 'parcel', filter: "status = 'unsigned'" })).toEqual({ value: 'parcel:query', as: 'query' });
    expect(selectionParam({ layerId: 'parcel', ids: long }, { layerId: 'red_line', filter: 'x' }).as).toBe('left_out');
    expect(selectionParam({ layerId: 'parcel', ids: [5, 6] }, null)).toEqual({ value: 'parcel:5~1', as: 'ids' });
    expect(selectionParam(null, null).as).toBe('none');
  });
});
