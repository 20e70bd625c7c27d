// Progress as of a date on the large data set (issue #7: p95 below 200 ms for the whole district, any
// date). Dates are spread over the whole history, 2019 … 2022, so no two consecutive requests share one.
import { type Benchmark, measure } from './harness.ts';

/** Deterministic dates: day i of a walk with a stride coprime to the span. */
export function dateAt(i: number, fromYear = 2019): string {
  const start = Date.UTC(fromYear, 0, 1);
  const span = (2023 - fromYear) * 365;
  return new Date(start + ((i * 97 + 13) % span) * 86_400_000).toISOString().slice(0, 10);
}

const bench: Benchmark = {
  name: 'progress as of a date',
  async run({ baseUrl, pool, authHeaders }) {
    const get = async (path: string) => {
      const res = await fetch(baseUrl + path, { headers: authHeaders });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const { rows } = await pool.query<{ n: number; d: number }>(
      `SELECT (SELECT count(*) FROM progress_take_history)::int AS n, (SELECT count(*) FROM progress_delta)::int AS d`);
    const note = `${rows[0].n} history rows, ${rows[0].d} delta rows (day + month + year)`;
    return [
      await measure('asOf, whole district', (i) => get(`/api/progress?asOf=${dateAt(i)}&groupBy=district`), { iterations: 100, note }),
      await measure('asOf, by command area', (i) => get(`/api/progress?asOf=${dateAt(i + 500)}&groupBy=area`), { iterations: 50 }),
      await measure('asOf, by project (750 rows)', (i) => get(`/api/progress?asOf=${dateAt(i + 900)}&groupBy=project`), { iterations: 50 }),
      await measure('map colours (projects + areas)', (i) => get(`/api/progress/map?asOf=${dateAt(i + 1300)}`), { iterations: 50 }),
      await measure('monthly series 2021-01…', (i) => get(`/api/progress/series?from=2021-01&to=${dateAt(i + 1700, 2021)}`), { iterations: 20 }),
      await measure('dispatch report, one month', (i) => get(`/api/progress/dispatch?month=${dateAt(i + 2100).slice(0, 7)}&areaId=${1 + (i % 3)}`), { iterations: 20 }),
    ];
  },
};
export default bench;
