// A zip written as a stream, for exports whose files are only complete at the end (a Shapefile's three
// headers hold its length, record count and bounding box). Each file's body is compressed while the
// export runs — raw deflate in zlib's thread pool, beside the rows still coming from PostgreSQL — into
// a temporary file, with its CRC-32 and length kept; when the rows are done the header is put in front
// as one stored deflate block (a deflate stream may mix block types, so nothing is re-compressed), the
// CRCs are joined (crc32Combine) and the zip is written out, the bodies copied through one buffer.
// Memory: one batch at a time.
import { createWriteStream, type WriteStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw, crc32, type DeflateRaw } from 'node:zlib';

/** One file of the zip, its body written batch by batch. */
export class ZipBody {
  /** CRC-32 and length of the uncompressed bytes written so far */
  crc = 0;
  size = 0;
  compressedSize = 0;
  private readonly out: WriteStream;
  private readonly deflate: DeflateRaw | undefined;
  private readonly done: Promise<void>;

  /** level 0 stores, 1–9 deflate */
  constructor(readonly file: string, readonly level: number) {
    this.out = createWriteStream(file, { highWaterMark: 1 << 20 });
    if (level > 0) {
      // memLevel 9: zlib's fastest setting for level 1 (more hash memory, ~256 KB)
      this.deflate = createDeflateRaw({ level, memLevel: 9, chunkSize: 1 << 16 });
      this.done = pipeline(this.deflate, this.out);
    } else {
      this.done = new Promise((resolve, reject) => { this.out.on('finish', resolve); this.out.on('error', reject); });
    }
    this.done.catch(() => {}); // surfaced by write() and end()
  }

  /** Resolves when `chunk` has been consumed (compressed, or written): the caller may then reuse it. */
  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    const target = this.deflate ?? this.out;
    await Promise.race([
      new Promise<void>((resolve, reject) => { target.write(chunk, (err) => (err ? reject(err) : resolve())); }),
      this.done,
    ]);
  }

  async end(): Promise<void> {
    (this.deflate ?? this.out).end();
    await this.done;
    this.compressedSize = (await stat(this.file)).size;
  }

  get method(): 0 | 8 { return this.level > 0 ? 8 : 0; }
}

export interface ZipEntry {
  name: string;
  /** bytes in front of the body (a header known only at the end), stored as they are */
  head?: Buffer;
  /** the body, finished (end() awaited); none = the head is the whole file */
  body?: ZipBody;
}

// ---- CRC-32 of a concatenation (zlib's crc32_combine: the first CRC moved over len2 zero bytes) ----

function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i];
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(mat, mat[n]);
}

/** CRC-32 of A‖B from CRC-32(A), CRC-32(B) and B's length. */
export function crc32Combine(crc1: number, crc2: number, len2: number): number {
  if (len2 <= 0) return crc1 >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320; // the CRC-32 polynomial: the operator for one zero bit
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  gf2Square(even, odd); // two zero bits
  gf2Square(odd, even); // four
  let c = crc1 >>> 0;
  let len = len2;
  for (;;) {
    gf2Square(even, odd); // one zero byte, then 2, 4, … (squared each time)
    if (len % 2) c = gf2Times(even, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
    gf2Square(odd, even);
    if (len % 2) c = gf2Times(odd, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
  }
  return (c ^ crc2) >>> 0;
}

/** Deflate stored (uncompressed, not final) blocks holding `data`: a valid start for any deflate stream. */
function storedBlocks(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let o = 0; o < data.length; o += 0xffff) {
    const chunk = data.subarray(o, Math.min(data.length, o + 0xffff));
    const h = Buffer.alloc(5);
    h[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), padding to the byte boundary
    h.writeUInt16LE(chunk.length, 1);
    h.writeUInt16LE(~chunk.length & 0xffff, 3);
    parts.push(h, chunk);
  }
  return Buffer.concat(parts);
}

function dosDateTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

const MAX32 = 0xffffffff;

/** Appends the file at `from` to `out`, through one buffer (nothing left for the collector). */
async function append(out: FileHandle, from: string, buf: Buffer): Promise<void> {
  const src = await open(from, 'r');
  try {
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      await out.write(buf, 0, bytesRead);
    }
  } finally {
    await src.close();
  }
}

/** The zip of `entries` written to `file`: local header, data (head + body file), …, central directory. */
export async function writeZip(entries: ZipEntry[], file: string, now = new Date()): Promise<void> {
  const out = await open(file, 'w');
  try {
    await writeZipTo(out, entries, now);
  } finally {
    await out.close();
  }
}

async function writeZipTo(out: FileHandle, entries: ZipEntry[], now: Date): Promise<void> {
  const { time, date } = dosDateTime(now);
  const copyBuffer = Buffer.allocUnsafeSlow(1 << 20);
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const head = e.head ?? Buffer.alloc(0);
    const body = e.body;
    const method = body?.method ?? 0;
    const lead = method === 8 && head.length > 0 ? storedBlocks(head) : head;
    // a deflated body without a head is the whole stream; an empty deflate stream still needs its final block
    const crc = body ? crc32Combine(crc32(head), body.crc, body.size) : crc32(head);
    const size = head.length + (body?.size ?? 0);
    const compressed = lead.length + (body?.compressedSize ?? 0);
    if (size > MAX32 || compressed > MAX32 || offset > MAX32) {
      throw new Error(`${e.name} is over 4 GB: export less at a time (by project, command area or bbox)`);
    }
    const name = Buffer.from(e.name, 'utf8');
    // the fields both headers hold, in the same order: from byte 8 of the local header, 10 of the central
    const common = (b: Buffer, at: number) => {
      b.writeUInt16LE(method, at);
      b.writeUInt16LE(time, at + 2);
      b.writeUInt16LE(date, at + 4);
      b.writeUInt32LE(crc, at + 6);
      b.writeUInt32LE(compressed, at + 10);
      b.writeUInt32LE(size, at + 14);
      b.writeUInt16LE(name.length, at + 18);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // names in UTF-8
    common(local, 8);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4); // made by: MS-DOS attributes, 2.0
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    common(cd, 10);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    await out.write(Buffer.concat([local, name, lead]));
    offset += 30 + name.length + lead.length;
    if (body && body.compressedSize > 0) {
      await append(out, body.file, copyBuffer);
      offset += body.compressedSize;
    }
  }
  const cd = Buffer.concat(central);
  if (offset > MAX32) throw new Error('the zip is over 4 GB: export less at a time (by project, command area or bbox)');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  await out.write(Buffer.concat([cd, end]));
}
