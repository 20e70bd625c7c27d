// KML 2.2: lon/lat (WGS 84; CGCS2000 is written as is, PROJ's ballpark equivalence), attributes in a
// <Schema> with <SchemaData> (what GDAL's KML/LIBKML drivers and Google Earth read as fields).
// Read with @tmcw/togeojson.
import { readFile } from 'node:fs/promises';
import { type Geometry, orientPolygons, polygonsOf, type Pos } from '../../../geo/formats/geometry.ts';
import { geometryOf } from '../source.ts';
import { type Exporter, FileFormatError, type Importer, type ParsedFeature } from '../types.ts';
import { extOf, quoted, textValue } from './common.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const coords = (ring: Pos[]): string => ring.map((p) => `${p[0]},${p[1]}`).join(' ');

function kmlGeometry(g: Geometry): string {
  switch (g.type) {
    case 'Point': return `<Point><coordinates>${g.coordinates[0]},${g.coordinates[1]}</coordinates></Point>`;
    case 'LineString': return `<LineString><coordinates>${coords(g.coordinates)}</coordinates></LineString>`;
    case 'MultiLineString': return `<MultiGeometry>${g.coordinates.map((l) => kmlGeometry({ type: 'LineString', coordinates: l })).join('')}</MultiGeometry>`;
    case 'MultiPoint': return `<MultiGeometry>${g.coordinates.map((p) => kmlGeometry({ type: 'Point', coordinates: p })).join('')}</MultiGeometry>`;
    default: {
      const polys = orientPolygons(polygonsOf(g), true).map((p) => `<Polygon><outerBoundaryIs><LinearRing><coordinates>${coords(p[0])}</coordinates></LinearRing></outerBoundaryIs>${
        p.slice(1).map((h) => `<innerBoundaryIs><LinearRing><coordinates>${coords(h)}</coordinates></LinearRing></innerBoundaryIs>`).join('')}</Polygon>`);
      return polys.length === 1 ? polys[0] : `<MultiGeometry>${polys.join('')}</MultiGeometry>`;
    }
  }
}

export const kmlExporter: Exporter = {
  id: 'kml',
  label: 'KML',
  extension: 'kml',
  contentType: 'application/vnd.google-earth.kml+xml',
  defaultCrs: 4490,
  crsKind: 'geographic',
  async *write(src) {
    const id = src.layer.id;
    const names = ['id', ...src.fields.map((f) => f.name)];
    const types = ['int', ...src.fields.map((f) => (f.type === 'Number' ? (f.sql.endsWith('::int') ? 'int' : 'double') : f.type === 'Boolean' ? 'bool' : 'string'))];
    yield Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document id="root_doc">\n` +
      `<Schema name="${id}" id="${id}">${names.map((n, i) => `<SimpleField name="${n}" type="${types[i]}"></SimpleField>`).join('')}</Schema>\n` +
      `<Folder><name>${esc(src.layer.title.zh)}</name>\n`);
    for await (const batch of src.batches()) {
      const parts = batch.map((f) => {
        const label = textValue(f.props.code ?? f.props.name ?? f.id);
        const data = names.map((n) => {
          const v = n === 'id' ? f.id : f.props[n];
          return v === null || v === undefined ? '' : `<SimpleData name="${n}">${esc(textValue(v))}</SimpleData>`;
        }).join('');
        return `<Placemark id="${id}.${f.id}"><name>${esc(label)}</name><ExtendedData><SchemaData schemaUrl="#${id}">${data}</SchemaData></ExtendedData>${kmlGeometry(geometryOf(f))}</Placemark>\n`;
      });
      yield Buffer.from(parts.join(''));
    }
    yield Buffer.from('</Folder></Document></kml>\n');
  },
};

export const kmlImporter: Importer = {
  id: 'kml',
  accepts: (files) => files.length === 1 && extOf(files[0].name) === 'kml',
  async read(files) {
    const file = files[0];
    const [{ kml: kmlToGeoJson }, { DOMParser }] = await Promise.all([import('@tmcw/togeojson'), import('@xmldom/xmldom')]);
    const errors: string[] = [];
    const text = (await readFile(file.path, 'utf8')).replace(/^\uFEFF/, '');
    let doc: ReturnType<InstanceType<typeof DOMParser>['parseFromString']>;
    try {
      doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') errors.push(msg); } }).parseFromString(text, 'text/xml');
    } catch (err) {
      // xmldom throws on what it cannot go on from (its fatal errors)
      throw new FileFormatError(file.name, undefined, `not a readable KML document: ${quoted((err as Error).message.split('\n')[0])}`);
    }
    if (errors.length || !doc.documentElement || doc.getElementsByTagName('kml').length === 0) {
      throw new FileFormatError(file.name, undefined, `not a readable KML document${errors.length ? `: ${quoted(errors[0].split('\n')[0])}` : ''}`);
    }
    const fc = kmlToGeoJson(doc as unknown as Document);
    const fields = new Set<string>();
    const features: ParsedFeature[] = fc.features.map((f, i) => {
      const props = { ...(f.properties ?? {}) } as Record<string, unknown>;
      for (const k of ['styleUrl', 'styleHash', 'styleMapHash', 'stroke', 'fill', 'stroke-opacity', 'fill-opacity', 'stroke-width', 'visibility']) delete props[k];
      Object.keys(props).forEach((k) => fields.add(k));
      let g = f.geometry as Geometry | null;
      if (g && (g as { type: string }).type === 'GeometryCollection') {
        const parts = (g as unknown as { geometries: Geometry[] }).geometries;
        g = parts.every((p) => p.type === 'Polygon') ? { type: 'MultiPolygon', coordinates: parts.map((p) => p.coordinates as Pos[][]) } : parts[0] ?? null;
      }
      if (g) g = dropZ(g);
      return { ref: `placemark ${i + 1}`, props, geometry: g, issues: [] };
    });
    return { format: 'kml', epsg: 4326, crsSource: 'format', fields: [...fields], features, notes: [] };
  },
};

function dropZ(g: Geometry): Geometry {
  const m = (c: unknown): unknown => (typeof (c as number[])[0] === 'number' ? (c as number[]).slice(0, 2) : (c as unknown[]).map(m));
  return { type: g.type, coordinates: m(g.coordinates) } as Geometry;
}
