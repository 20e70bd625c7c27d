// DXF R12 (AC1009, the version every CAD and GIS tool reads): one layer per feature type (the outlines
// on the layer's id, labels on <id>_label), each ring a closed POLYLINE, attributes as XDATA under the
// application ZHENGSHOU ("key=value" strings, with id and ring numbers so holes and parts come back),
// text in GBK ($DWGCODEPAGE ANSI_936, what Chinese AutoCAD uses). Coordinates in the export CRS
// (Gauss–Krüger by default: CAD works in metres).
import { readFile } from 'node:fs/promises';
import { guessCrsFromBbox } from '../../../geo/formats/crs-detect.ts';
import { assembleRings, bboxOf, type Geometry, orientPolygons, polygonsOf, type Pos, type Ring } from '../../../geo/formats/geometry.ts';
import { geometryOf } from '../source.ts';
import { type Exporter, FileFormatError, type Importer, type ParsedFeature } from '../types.ts';
import { decodeBytes, encodeText, extOf, quoted, textValue } from './common.ts';

const APP = 'ZHENGSHOU';
const num = (n: number): string => String(n);
const pair = (code: number, value: string | number): string => `${code}\r\n${value}\r\n`;
const clean = (s: string): string => s.replace(/[\r\n]/g, ' ');

function xdata(values: [string, unknown][]): string {
  let out = pair(1001, APP);
  for (const [k, v] of values) {
    if (v === null || v === undefined) continue;
    let s = clean(`${k}=${textValue(v)}`);
    while (encodeText(s, 'gbk').length > 250) s = s.slice(0, -1);
    out += pair(1000, s);
  }
  return out;
}

export const dxfExporter: Exporter = {
  id: 'dxf',
  label: 'DXF (CAD)',
  extension: 'dxf',
  contentType: 'image/vnd.dxf',
  defaultCrs: 'gk',
  async *write(src) {
    const layer = src.layer.id;
    const label = `${layer}_label`;
    const textHeight = src.crs.geographic ? 0.00002 : 2;
    yield encodeText(
      pair(0, 'SECTION') + pair(2, 'HEADER') + pair(9, '$ACADVER') + pair(1, 'AC1009') + pair(9, '$DWGCODEPAGE') + pair(3, 'ANSI_936') +
      pair(9, '$INSUNITS') + pair(70, src.crs.geographic ? 0 : 6) + pair(0, 'ENDSEC') +
      pair(0, 'SECTION') + pair(2, 'TABLES') +
      pair(0, 'TABLE') + pair(2, 'LTYPE') + pair(70, 1) + pair(0, 'LTYPE') + pair(2, 'CONTINUOUS') + pair(70, 0) + pair(3, 'Solid line') + pair(72, 65) + pair(73, 0) + pair(40, 0) + pair(0, 'ENDTAB') +
      pair(0, 'TABLE') + pair(2, 'LAYER') + pair(70, 2) +
      pair(0, 'LAYER') + pair(2, layer) + pair(70, 0) + pair(62, 1) + pair(6, 'CONTINUOUS') +
      pair(0, 'LAYER') + pair(2, label) + pair(70, 0) + pair(62, 7) + pair(6, 'CONTINUOUS') + pair(0, 'ENDTAB') +
      pair(0, 'TABLE') + pair(2, 'APPID') + pair(70, 1) + pair(0, 'APPID') + pair(2, APP) + pair(70, 0) + pair(0, 'ENDTAB') +
      pair(0, 'ENDSEC') + pair(0, 'SECTION') + pair(2, 'ENTITIES'), 'gbk');
    const attrs = src.fields.map((f) => f.name);
    for await (const batch of src.batches()) {
      let out = '';
      for (const f of batch) {
        const g = geometryOf(f);
        const props: [string, unknown][] = attrs.map((a) => [a, f.props[a]]);
        if (g.type === 'Point' || g.type === 'MultiPoint') {
          const p = g.type === 'Point' ? g.coordinates : g.coordinates[0];
          out += pair(0, 'POINT') + pair(8, layer) + pair(10, num(p[0])) + pair(20, num(p[1])) + pair(30, 0) + xdata([['id', f.id], ...props]);
          continue;
        }
        const rings: { ring: Ring; key: string; closed: boolean }[] = [];
        if (g.type === 'LineString') rings.push({ ring: g.coordinates, key: '1.0', closed: false });
        else if (g.type === 'MultiLineString') g.coordinates.forEach((l, i) => rings.push({ ring: l, key: `${i + 1}.0`, closed: false }));
        else orientPolygons(polygonsOf(g), true).forEach((p, i) => p.forEach((r, j) => rings.push({ ring: r.slice(0, -1), key: `${i + 1}.${j}`, closed: true })));
        rings.forEach(({ ring, key, closed }, k) => {
          out += pair(0, 'POLYLINE') + pair(8, layer) + pair(66, 1) + pair(10, 0) + pair(20, 0) + pair(30, 0) + pair(70, closed ? 1 : 0) +
            xdata(k === 0 ? [['id', f.id], ['ring', key], ...props] : [['id', f.id], ['ring', key]]);
          for (const p of ring) out += pair(0, 'VERTEX') + pair(8, layer) + pair(10, num(p[0])) + pair(20, num(p[1])) + pair(30, 0);
          out += pair(0, 'SEQEND') + pair(8, layer);
        });
        const outer = rings[0]?.ring ?? [];
        if (outer.length) {
          const cx = outer.reduce((s, p) => s + p[0], 0) / outer.length;
          const cy = outer.reduce((s, p) => s + p[1], 0) / outer.length;
          const text = clean([f.props.code, f.props.owner_name ?? f.props.name].filter((v) => v != null && v !== '').map(textValue).join(' ') || String(f.id));
          out += pair(0, 'TEXT') + pair(8, label) + pair(10, num(cx)) + pair(20, num(cy)) + pair(30, 0) + pair(40, textHeight) + pair(1, text);
        }
      }
      yield encodeText(out, 'gbk');
    }
    yield encodeText(pair(0, 'ENDSEC') + pair(0, 'EOF'), 'gbk');
  },
};

// ---- reading ----

interface DxfRing { line: number; layer: string; closed: boolean; pts: Pos[]; xdata: Record<string, string> }

function decodeUnicodeEscapes(s: string): string {
  return s.replace(/\\U\+([0-9A-Fa-f]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

export const dxfImporter: Importer = {
  id: 'dxf',
  accepts: (files) => files.length === 1 && extOf(files[0].name) === 'dxf',
  async read(files, opts) {
    const file = files[0];
    const data = await readFile(file.path);
    const head = data.subarray(0, 4096).toString('latin1');
    const codepage = /\$DWGCODEPAGE\s*\r?\n\s*3\s*\r?\n\s*(\S+)/.exec(head)?.[1] ?? '';
    const version = /\$ACADVER\s*\r?\n\s*1\s*\r?\n\s*(\S+)/.exec(head)?.[1] ?? '';
    const encoding = version >= 'AC1021' ? 'utf-8' : /936|GB/i.test(codepage) ? 'gbk' : opts.encoding ?? 'gbk';
    const lines = decodeBytes(data, encoding).split(/\r\n|\n|\r/);
    const rings: DxfRing[] = [];
    let inEntities = false;
    let current: DxfRing | undefined;
    let entity = '';
    let entityLine = 0;
    let vertex: number[] | undefined;
    let inXdata = false;
    const finishVertex = () => { if (vertex && current) current.pts.push([vertex[0], vertex[1]]); vertex = undefined; };
    let lw: { x?: number } = {};
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const code = Number(lines[i].trim());
      const value = lines[i + 1].trim();
      if (!Number.isInteger(code)) throw new FileFormatError(file.name, `line ${i + 1}`, `"${quoted(lines[i].trim())}" is not a DXF group code`);
      if (code === 0) {
        finishVertex();
        if (entity === 'SEQEND' || (current && entity === 'LWPOLYLINE')) { if (current) rings.push(current); current = undefined; }
        entity = value;
        entityLine = i + 2; // the line with the entity's name
        inXdata = false;
        if (value === 'SECTION' || value === 'ENDSEC') { inEntities = false; }
        if (!inEntities) continue;
        if (value === 'POLYLINE' || value === 'LWPOLYLINE') current = { line: entityLine, layer: '', closed: false, pts: [], xdata: {} };
        else if (value === 'VERTEX') vertex = [NaN, NaN];
        else if (value === 'SEQEND') { /* closes the POLYLINE on the next 0 */ }
        continue;
      }
      if (code === 2 && entity === 'SECTION') { inEntities = value === 'ENTITIES'; continue; }
      if (!inEntities) continue;
      if (entity === 'POLYLINE' || entity === 'LWPOLYLINE') {
        if (!current) continue;
        if (code === 1001) { inXdata = true; continue; }
        if (inXdata && code === 1000) { const k = value.indexOf('='); if (k > 0) current.xdata[value.slice(0, k)] = decodeUnicodeEscapes(value.slice(k + 1)); continue; }
        if (code === 8) current.layer = value;
        else if (code === 70) current.closed = (Number(value) & 1) === 1;
        else if (entity === 'LWPOLYLINE' && (code === 10 || code === 20)) {
          const n = Number(value);
          if (!Number.isFinite(n)) throw new FileFormatError(file.name, `line ${i + 2}`, `coordinate "${quoted(value)}" is not a number`);
          if (code === 10) lw = { x: n }; else { current.pts.push([lw.x ?? NaN, n]); lw = {}; }
        }
      } else if (entity === 'VERTEX' && vertex && (code === 10 || code === 20)) {
        const n = Number(value);
        if (!Number.isFinite(n)) throw new FileFormatError(file.name, `line ${i + 2}`, `coordinate "${quoted(value)}" is not a number`);
        vertex[code === 10 ? 0 : 1] = n;
      }
    }
    finishVertex();
    if (current) rings.push(current);
    if (rings.length === 0) throw new FileFormatError(file.name, undefined, 'no POLYLINE or LWPOLYLINE entities in the ENTITIES section');
    for (const r of rings) {
      const first = r.pts[0], last = r.pts[r.pts.length - 1];
      const explicitlyClosed = r.pts.length > 3 && first[0] === last[0] && first[1] === last[1];
      if (!r.closed && !explicitlyClosed) {
        throw new FileFormatError(file.name, `line ${r.line}`, `polyline on layer "${r.layer}"${r.xdata.id ? ` (id ${r.xdata.id})` : ''} is open: parcels need closed polylines`);
      }
      if (!explicitlyClosed) r.pts.push([first[0], first[1]]);
    }
    // rings with the same XDATA id form one feature; rings without are assembled per layer
    const groups = new Map<string, DxfRing[]>();
    for (const r of rings) {
      const key = r.xdata.id ? `id:${r.xdata.id}` : `layer:${r.layer}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(r);
    }
    const features: ParsedFeature[] = [];
    const fields = new Set<string>();
    for (const [key, group] of groups) {
      const polys = assembleRings(group.map((r) => r.pts));
      const asFeature = (p: Pos[][][], props: Record<string, unknown>, line: number) => {
        Object.keys(props).forEach((k) => fields.add(k));
        const geometry: Geometry = p.length === 1 ? { type: 'Polygon', coordinates: p[0] } : { type: 'MultiPolygon', coordinates: p };
        features.push({ ref: `line ${line}`, props, geometry, issues: [] });
      };
      if (key.startsWith('id:')) {
        const props: Record<string, unknown> = {};
        for (const r of group) for (const [k, v] of Object.entries(r.xdata)) if (k !== 'ring') props[k] = v;
        asFeature(polys, props, group[0].line);
      } else {
        for (const p of polys) asFeature([p], { layer: group[0].layer }, group[0].line);
      }
    }
    const first = features[0]?.geometry;
    const guess = opts.epsg ? undefined : first ? guessCrsFromBbox(bboxOf(first)) : undefined;
    return {
      format: 'dxf', encoding, fields: [...fields], features,
      epsg: opts.epsg ?? guess?.epsg, crsSource: opts.epsg ? 'request' : guess?.epsg ? 'coordinates' : undefined,
      notes: guess ? [`DXF has no CRS: ${guess.reason}`] : [],
    };
  },
};
