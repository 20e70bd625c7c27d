// GeoJSON: RFC 7946 (CRS84 lon/lat, outer rings counter-clockwise) by default; other CRSs on request,
// flagged with the (pre-RFC) "crs" member that GDAL, QGIS and ArcGIS read.
import { guessCrsFromBbox } from '../../../geo/formats/crs-detect.ts';
import { bboxOf, type Geometry, malformedPosition, orientPolygons, polygonsOf } from '../../../geo/formats/geometry.ts';
import { geometryOf } from '../source.ts';
import { type Exporter, FileFormatError, type Importer, type ParsedFeature } from '../types.ts';
import { readFile } from 'node:fs/promises';
import { jsonDepth } from '../../core/json.ts';
import { extOf } from './common.ts';

export function rfc7946(g: Geometry): Geometry {
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: orientPolygons([g.coordinates], true)[0] };
  if (g.type === 'MultiPolygon') return { type: 'MultiPolygon', coordinates: orientPolygons(polygonsOf(g), true) };
  return g;
}

export const geojsonExporter: Exporter = {
  id: 'geojson',
  label: 'GeoJSON',
  extension: 'geojson',
  contentType: 'application/geo+json',
  defaultCrs: 4490,
  async *write(src) {
    const crsMember = src.crs.geographic ? '' : `"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::${src.crs.epsg}"}},`;
    yield Buffer.from(`{"type":"FeatureCollection","name":"${src.layer.id}",${crsMember}"features":[\n`);
    let first = true;
    for await (const batch of src.batches()) {
      const parts: string[] = [];
      for (const f of batch) {
        parts.push((first ? '' : ',\n') + JSON.stringify({ type: 'Feature', id: f.id, properties: { id: f.id, ...f.props }, geometry: rfc7946(geometryOf(f)) }));
        first = false;
      }
      yield Buffer.from(parts.join(''));
    }
    yield Buffer.from('\n]}\n');
  },
};

const CRS_URN = /EPSG:{1,2}(\d+)$/i;

/** A FeatureCollection of MultiPolygons nests 7 levels; properties may hold some structure of their own. */
const MAX_GEOJSON_DEPTH = 32;

export const geojsonImporter: Importer = {
  id: 'geojson',
  accepts: (files) => files.length === 1 && ['geojson', 'json'].includes(extOf(files[0].name)),
  async read(files, opts) {
    const file = files[0];
    const text = (await readFile(file.path, 'utf8')).replace(/^\uFEFF/, '');
    if (!/^\s*[{[]/.test(text)) throw new FileFormatError(file.name, undefined, 'not valid JSON: it does not start with { or [');
    // what walks the parsed value (the checks, PostgreSQL's parser) must not meet a value nested deeper than GeoJSON nests
    const depth = jsonDepth(text, MAX_GEOJSON_DEPTH);
    if (depth > MAX_GEOJSON_DEPTH) throw new FileFormatError(file.name, undefined, `nested more than ${MAX_GEOJSON_DEPTH} levels deep: GeoJSON nests at most ${MAX_GEOJSON_DEPTH}`);
    let doc: any;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new FileFormatError(file.name, undefined, `not valid JSON: ${(err as Error).message}`);
    }
    const list: any[] = doc?.type === 'FeatureCollection' ? doc.features : doc?.type === 'Feature' ? [doc] : [];
    if (!Array.isArray(list) || (doc?.type !== 'FeatureCollection' && doc?.type !== 'Feature')) {
      throw new FileFormatError(file.name, undefined, 'not a GeoJSON FeatureCollection or Feature');
    }
    const fields = new Set<string>();
    const features: ParsedFeature[] = list.map((f, i) => {
      if (f?.type !== 'Feature') throw new FileFormatError(file.name, `feature ${i + 1}`, 'not a Feature');
      const props = { ...(f.properties ?? {}) };
      Object.keys(props).forEach((k) => fields.add(k));
      const g = f.geometry as Geometry | null;
      if (g && !['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon'].includes(g.type)) {
        throw new FileFormatError(file.name, `feature ${i + 1}`, `geometry type ${g.type} is not supported`);
      }
      // a malformed position is this feature's error (reported in the preview), not the whole file's
      const bad = g ? malformedPosition(g) : null;
      if (bad) return { ref: `feature ${i + 1}`, props, geometry: null, issues: [{ code: 'bad_coordinates', severity: 'error', message: `geometry.${bad}` }] };
      return { ref: `feature ${i + 1}`, props, geometry: g ?? null, issues: [] };
    });
    const named = CRS_URN.exec(doc?.crs?.properties?.name ?? '');
    if (named) return { format: 'geojson', epsg: Number(named[1]), crsSource: 'header', fields: [...fields], features, notes: [] };
    if (opts.epsg) return { format: 'geojson', epsg: opts.epsg, crsSource: 'request', fields: [...fields], features, notes: [] };
    const withGeom = features.find((f) => f.geometry);
    const guess = withGeom ? guessCrsFromBbox(bboxOf(withGeom.geometry!)) : { epsg: 4490, swapped: false, reason: '' };
    // RFC 7946 is CRS84: only planar coordinates that cannot be lon/lat say otherwise
    if (!guess.epsg && !/zone prefix/.test(guess.reason)) guess.epsg = 4490;
    return {
      format: 'geojson', epsg: guess.epsg, crsSource: guess.epsg && guess.epsg !== 4490 ? 'coordinates' : guess.epsg ? 'format' : undefined,
      fields: [...fields], features, notes: guess.epsg !== 4490 ? [guess.reason] : [],
    };
  },
};
