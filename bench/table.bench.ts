// The attribute table (web/src/table) on the large data set: what it asks the server while a user drags
// the scroll bar of the parcel table (≥100k rows at scale 25) — pages of 100 at random depths, by id,
// sorted by a number, by text and under a filter — and the footer's count and sums. A sorted result is
// sorted once, for its first page, and kept (server/features/ordered-ids.ts): both are measured. The rows on screen
// are virtualised in the browser (tests/web/attribute-table.test.ts asserts < 80 rows in the DOM), so
// the server's page time is what a user waits for at depth.
import { type Benchmark, type BenchRow, measure } from './harness.ts';

const PAGE = 100;

const bench: Benchmark = {
  name: 'attribute table (属性表)',
  async run({ baseUrl, pool, authHeaders }) {
    const rows: BenchRow[] = [];
    const items = (q: URLSearchParams) => `${baseUrl}/ogc/collections/parcel/items?${q}`;
    const count = async (filter: string) => {
      const res = await fetch(`${baseUrl}/ogc/collections/parcel/summary?${new URLSearchParams(filter ? { filter } : {})}`, { headers: authHeaders });
      if (!res.ok) throw new Error(`summary: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { numberMatched: number }).numberMatched;
    };
    // the same pseudo-random depths for every ordering, so the rows compare like with like
    const depth = (i: number, n: number) => Math.floor((((i * 7919) % 997) / 997) * Math.max(1, n - PAGE));
    const cases: { name: string; filter: string; sortby: string }[] = [
      { name: 'by id', filter: '', sortby: '' },
      { name: 'sorted by 亩 (-area_mu)', filter: '', sortby: '-area_mu' },
      { name: 'sorted by owner name', filter: '', sortby: 'owner_name' },
      { name: 'sorted by status then 亩', filter: '', sortby: 'status,-area_mu' },
      { name: '未签约 > 5 亩, sorted by 亩', filter: "status = 'unsigned' AND area_mu > 5", sortby: '-area_mu' },
    ];
    const page = async (c: (typeof cases)[number], filter: string, offset: number) => {
      const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
      if (filter) q.set('filter', filter);
      if (c.sortby) q.set('sortby', c.sortby);
      const res = await fetch(items(q), { headers: authHeaders });
      if (!res.ok) throw new Error(`${c.name}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { numberReturned: number };
    };
    for (const c of cases) {
      const n = await count(c.filter);
      // the table's first page of a sort: a result never sorted before (a filter of its own that
      // matches the same rows), at random depth — the whole result is sorted for it
      if (c.sortby) {
        rows.push(await measure(`table: first page of a new sort, ${c.name}`, async (i) => {
          const fresh = `${c.filter ? `(${c.filter}) AND ` : ''}id > -${1000 + i}`;
          await page(c, fresh, depth(i, n));
        }, { iterations: 15, note: `${n} rows matched` }));
      }
      // then the pages as the user scrolls or drags the scroll bar: the same sort, other depths
      rows.push(await measure(`table: next page at random depth, ${c.name}`, async (i) => {
        const body = await page(c, c.filter, depth(i, n));
        if (body.numberReturned !== Math.min(PAGE, n)) throw new Error(`${c.name}: ${body.numberReturned} rows`);
      }, { iterations: 30, note: `${n} rows matched` }));
    }
    const { rows: [{ n: all }] } = await pool.query<{ n: number }>('SELECT count(*)::int n FROM parcel');
    rows.push(await measure('table footer: count and sums of every parcel', () => count(''), { iterations: 20, note: `${all} parcels` }));
    return rows;
  },
};
export default bench;
