// What an import may cost (issue #14): every upload is hostile until its sizes are checked. Each limit
// refused is a 413 `import_limit` naming the file, the limit and its figure (types.ts ImportLimitError);
// a file whose headers lie about its own sizes is a 422 naming the file and the lie (FileFormatError).

/** Uploads larger than this are refused (413) as they arrive, before they are parsed. */
export const IMPORT_MAX_BYTES = 100 * 1024 * 1024;

/** The limits set by configuration. */
export interface ImportLimits {
  /** all entries of an uploaded zip together, as declared and as inflated (IMPORT_MAX_UNCOMPRESSED_MB) */
  maxUncompressedBytes: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxUncompressedBytes: 500 * 1024 * 1024 };

/**
 * How far one zip entry may expand, for entries over RATIO_FROM_BYTES. Real data does not come close:
 * a shapefile's .shp (coordinates) deflates 2–5×, its .dbf 5–50× when wide text columns are mostly
 * blank padding, an .xlsx sheet 5–20×; deflate's own ceiling is ~1030×, reached only by long runs of
 * one byte — which is what a bomb is made of. Small entries may expand more (a .dbf of ten rows of
 * blanks is harmless), so the ratio is checked only where the size starts to cost.
 */
export const MAX_COMPRESSION_RATIO = 200;
export const RATIO_FROM_BYTES = 10 * 1024 * 1024;

/** Entries in one zip (a shapefile has 3–7 per layer; the central directory is read before anything is inflated). */
export const MAX_ZIP_ENTRIES = 1000;

/**
 * V8 heap of the worker that parses an import. The parsed features of a 50,000-parcel file need about
 * 150 MB; a worker that needs more ends (ERR_WORKER_OUT_OF_MEMORY) and the file is refused (413).
 */
export const PARSE_HEAP_MB = 256;

/**
 * Text files are read whole (JSON.parse, a DOM): one that cannot fit in the worker's heap is refused
 * (413) before it is read, because a worker that runs out of heap inside one large allocation can
 * take the whole process down instead of ending alone (seen once in four previews of an 87 MB GeoJSON).
 * Measured with GeoJSON of 20,000 parcels: 48 MB parsed in the 256 MB heap, 57 MB did not; so a sixth
 * of the heap, with room to spare. KML builds an XML DOM first, about twice as heavy (an estimate).
 */
export const MAX_WHOLE_TEXT_BYTES: Readonly<Record<string, number>> = {
  geojson: (PARSE_HEAP_MB / 6) * 1024 * 1024,
  csv: (PARSE_HEAP_MB / 6) * 1024 * 1024,
  txt: (PARSE_HEAP_MB / 6) * 1024 * 1024,
  dxf: (PARSE_HEAP_MB / 6) * 1024 * 1024,
  kml: (PARSE_HEAP_MB / 12) * 1024 * 1024,
};

/**
 * Files (after unzipping) up to this size are parsed in the request's own thread, by the readers that
 * load nothing on first use (parse-in-worker.ts). Measured (2 shared cores): 32 KB (190 parcels)
 * parse in 10–50 ms here; 240 KB of shapefile (1,500 parcels) took 150–260 ms, too long a stall. A
 * worker takes ~1.1 s to start (its TypeScript modules loaded through tsx), then 30–100 ms per small file.
 */
export const INLINE_PARSE_BYTES = 32 * 1024;

/** An import's files (uploads spooled, entries unzipped) live in os.tmpdir()/zs-import-…, one folder per import, removed when it ends. */
export const IMPORT_DIR_PREFIX = 'zs-import-';

export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
