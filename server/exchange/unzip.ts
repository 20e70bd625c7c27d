// Reading an uploaded zip without trusting it (issue #14). The central directory is read first and
// every entry's declared size checked (the total against IMPORT_MAX_UNCOMPRESSED_MB, each large
// entry's compression ratio) before a byte is inflated; then each entry is inflated as a stream
// (zlib's thread pool, not this thread) into a file, its bytes counted as they come: an entry that
// inflates past the size its header declares is a lie, and stops there. Memory: one chunk at a time.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// loaded with the module, not on first use: loading it takes ~0.1 s, a stall no request should meet
import yauzl from 'yauzl';
import { type ImportLimits, MAX_COMPRESSION_RATIO, MAX_ZIP_ENTRIES, mb, RATIO_FROM_BYTES } from './limits.ts';
import { FileFormatError, ImportLimitError, type UploadedFile } from './types.ts';

interface CheckedZip { zip: yauzl.ZipFile; entries: yauzl.Entry[] }

/** Folders and the Mac's resource forks hold nothing to import. */
const skipped = (name: string): boolean => /\/$/.test(name) || /(^|\/)__MACOSX\//.test(name);

/** The zip's central directory read and checked against the limits; nothing inflated yet. */
async function openChecked(file: UploadedFile, limits: ImportLimits): Promise<CheckedZip> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file.path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z!)))).catch((err: Error) => {
    throw new FileFormatError(file.name, undefined, `not a readable zip (truncated or damaged): ${err.message}`);
  });
  try {
    if (zip.entryCount > MAX_ZIP_ENTRIES) {
      throw new ImportLimitError(file.name, undefined, `holds ${zip.entryCount} entries, more than the ${MAX_ZIP_ENTRIES} an import takes`, 'zip_entries', MAX_ZIP_ENTRIES);
    }
    const entries: yauzl.Entry[] = [];
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (err: Error) => reject(new FileFormatError(file.name, undefined, `damaged zip: ${err.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (skipped(entry.fileName)) { zip.readEntry(); return; }
        const size = entry.uncompressedSize;
        total += size;
        if (total > limits.maxUncompressedBytes) {
          reject(new ImportLimitError(file.name, entry.fileName, `expands to more than ${mb(limits.maxUncompressedBytes)} MB (IMPORT_MAX_UNCOMPRESSED_MB); ` +
            `its entries declare ${mb(total)} MB so far`, 'uncompressed_size', mb(limits.maxUncompressedBytes)));
          return;
        }
        if (size > RATIO_FROM_BYTES && size > MAX_COMPRESSION_RATIO * entry.compressedSize) {
          reject(new ImportLimitError(file.name, entry.fileName, `${entry.compressedSize} bytes expand to ${mb(size)} MB, more than ${MAX_COMPRESSION_RATIO} times (a zip bomb?)`,
            'compression_ratio', MAX_COMPRESSION_RATIO));
          return;
        }
        entries.push(entry);
        zip.readEntry();
      });
      zip.readEntry();
    });
    return { zip, entries };
  } catch (err) {
    zip.close();
    throw err;
  }
}

/**
 * Inflate one entry into `sink`, counting: past its declared size (the header lied) or past what the
 * whole zip may still expand to, it stops at once.
 */
async function inflate(file: UploadedFile, { zip }: CheckedZip, entry: yauzl.Entry, sink: Writable, budget: { left: number }, limits: ImportLimits): Promise<void> {
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s)))).catch((err: Error) => {
    throw new FileFormatError(file.name, entry.fileName, `cannot read the entry: ${err.message}`);
  });
  let seen = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      budget.left -= chunk.length;
      if (seen > entry.uncompressedSize) {
        done(new FileFormatError(file.name, entry.fileName, `inflates to more than the ${entry.uncompressedSize} bytes its header declares (a damaged or forged zip)`));
      } else if (budget.left < 0) {
        done(new ImportLimitError(file.name, entry.fileName, `expands to more than ${mb(limits.maxUncompressedBytes)} MB (IMPORT_MAX_UNCOMPRESSED_MB)`,
          'uncompressed_size', mb(limits.maxUncompressedBytes)));
      } else done(null, chunk);
    },
  });
  try {
    await pipeline(stream, count, sink);
  } catch (err) {
    if (err instanceof FileFormatError || err instanceof ImportLimitError) throw err;
    const message = (err as Error).message;
    // yauzl's own count (validateEntrySizes) may see the lie first
    if (/too many bytes/.test(message)) throw new FileFormatError(file.name, entry.fileName, `inflates to more than the ${entry.uncompressedSize} bytes its header declares (a damaged or forged zip)`);
    throw new FileFormatError(file.name, entry.fileName, `damaged entry (truncated zip?): ${message}`);
  }
}

/** The zip's entries inflated into files in `dir` (named by number: an entry's own name never becomes a path). */
export async function expandZip(file: UploadedFile, dir: string, limits: ImportLimits): Promise<UploadedFile[]> {
  const checked = await openChecked(file, limits);
  try {
    const budget = { left: limits.maxUncompressedBytes };
    const out: UploadedFile[] = [];
    for (const [i, entry] of checked.entries.entries()) {
      const target = path.join(dir, `entry-${i}`);
      await inflate(file, checked, entry, createWriteStream(target), budget, limits);
      out.push({ name: entry.fileName, path: target, size: entry.uncompressedSize, within: file.name });
    }
    return out;
  } finally {
    checked.zip.close();
  }
}

/**
 * A zip read by a library that inflates it in memory (ExcelJS's workbook): checked first, every entry
 * inflated and counted, the bytes dropped. Returns the bytes it expands to.
 */
export async function checkZip(file: UploadedFile, limits: ImportLimits): Promise<number> {
  const checked = await openChecked(file, limits);
  try {
    const budget = { left: limits.maxUncompressedBytes };
    for (const entry of checked.entries) {
      await inflate(file, checked, entry, new Writable({ write: (_chunk, _enc, done) => done() }), budget, limits);
    }
    return limits.maxUncompressedBytes - budget.left;
  } finally {
    checked.zip.close();
  }
}
