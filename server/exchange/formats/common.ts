// Small helpers the format modules share.
import { closeSync, openSync, readSync } from 'node:fs';
import iconv from 'iconv-lite';
import { type Geometry, polygonsOf } from '../../../geo/formats/geometry.ts';
import type { TextEncoding, UploadedFile } from '../types.ts';

export const encodeText = (s: string, encoding: TextEncoding): Buffer =>
  encoding === 'gbk' ? iconv.encode(s, 'gbk') : Buffer.from(s, 'utf8');

export const decodeBytes = (b: Uint8Array, encoding: TextEncoding): string =>
  encoding === 'gbk' ? iconv.decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), 'gbk') : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/** Rings of any geometry as a flat list (polygons' rings; lines as they are). */
export function ringsOf(g: Geometry): number[][][] {
  if (g.type === 'Polygon' || g.type === 'MultiPolygon') return polygonsOf(g).flat();
  if (g.type === 'LineString') return [g.coordinates];
  if (g.type === 'MultiLineString') return g.coordinates;
  return [];
}

export const extOf = (name: string): string => {
  const m = /\.([^./\\]+)$/.exec(name);
  return m ? m[1].toLowerCase() : '';
};

/** Text from a file quoted in a refusal: at most 40 characters (a line may be megabytes long). */
export const quoted = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** Best-effort plain value for text outputs. */
export const textValue = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** The first `n` bytes of a file (fewer if it is shorter): enough to tell a format by its magic. */
export function headOf(file: UploadedFile, n: number): Buffer {
  const b = Buffer.alloc(n);
  const fd = openSync(file.path, 'r');
  try {
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}
