// The map-data API on the large data set: a city-block view at about z14 and the layer list.
import { type Benchmark, measure } from './harness.ts';

const bench: Benchmark = {
  name: 'map data (GeoJSON by bbox)',
  async run({ baseUrl, authHeaders }) {
    // z14-sized windows (~0.022° wide) walked across the city centre
    const windows = Array.from({ length: 20 }, (_, i) => {
      const x = 109.5 + (i % 5) * 0.03;
      const y = 23.03 + Math.floor(i / 5) * 0.03;
      return [x, y, x + 0.022, y + 0.02].join(',');
    });
    const get = async (path: string) => {
      const res = await fetch(baseUrl + path, { headers: authHeaders });
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return res.arrayBuffer();
    };
    return [
      await measure('parcels in a z14 view', (i) => get(`/api/layers/parcel/features?bbox=${windows[i % windows.length]}`)),
      await measure('farmland in a z14 view', (i) => get(`/api/layers/farmland/features?bbox=${windows[i % windows.length]}`)),
      await measure('red lines, whole district', () => get('/api/layers/red_line/features'), { iterations: 20 }),
      await measure('layer list with counts', () => get('/api/layers'), { iterations: 20 }),
    ];
  },
};
export default bench;
