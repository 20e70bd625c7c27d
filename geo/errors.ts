// The error contract (错误约定): every refusal the server sends is
//   { error: <code>, message: <English, for developers and logs>, params: {...}, field?: <input field> }
// with the HTTP status below. The code is stable; the web client words it in Chinese or English from
// its own table (web/src/i18n/errors.ts, which must cover every code here) and never shows `message`.
// Params carry what the wording needs (ids, codes, counts, allowed values), never prose.

export const ERROR_STATUS = {
  // who is asking
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  no_role: 403,
  csrf: 403,
  out_of_scope: 403,
  too_many_attempts: 429,
  /** more expensive requests (labels, analyses, exports, imports, reports) at once than one account may run */
  too_many_requests: 429,
  // what was asked for
  not_found: 404,
  route_not_found: 404,
  read_only: 405,
  // what was sent
  invalid_input: 400,
  invalid_json: 400,
  /** a CQL2 filter that cannot be read, or names what is no queryable (params: position, property) */
  invalid_filter: 400,
  not_geojson: 400,
  bad_coordinates: 400,
  bad_crs: 400,
  empty_geometry: 400,
  too_complex: 400,
  payload_too_large: 413,
  too_many_vertices: 413,
  /** a red line with more boundary points than the approval package's PDF lists (params: points, max): the Excel has them all */
  too_many_boundary_points: 413,
  unsupported_media_type: 415,
  invalid_geometry: 422,
  self_intersection: 422,
  wrong_geometry_type: 422,
  too_few_points: 422,
  unclosed_ring: 422,
  latlon_swapped: 422,
  metres_as_degrees: 422,
  degrees_as_metres: 422,
  wrong_zone: 422,
  outside_district: 422,
  wrong_type: 422,
  wrong_value: 422,
  missing_attribute: 422,
  unknown_attribute: 422,
  unknown_reference: 422,
  constraint: 422,
  status_transition: 422,
  /** a procedure step out of the law's order (params: step, before, reason) */
  procedure_order: 422,
  /** a parcel or house signed before the 方案公告 has run its 30 days, with no exception recorded (params: opensOn) */
  procedure_not_ready: 422,
  /** an attribute the legal procedure records, changed by a feature write (params: field, layer, step) */
  procedure_owned: 422,
  /** an attachment that is not a PDF, JPEG, PNG or TIFF (params: allowed) */
  attachment_type: 415,
  no_red_line: 422,
  /** a parcel overlapping another of its project by more than 1 m² (params: neighbour {id, code}, overlapM2, others, toleranceM2) */
  parcel_overlap: 422,
  weak_password: 400,
  wrong_password: 400,
  // the state of things
  duplicate: 409,
  referenced: 409,
  username_taken: 409,
  own_admin: 409,
  stale_version: 412,
  precondition_required: 428,
  // exchange
  file_unreadable: 422,
  unknown_format: 415,
  no_crs: 422,
  import_has_errors: 409,
  import_committed: 409,
  import_refused: 422,
  import_stale: 412,
  import_limit: 413,
  export_too_large: 507,
  /** a basemap's tile server failed, timed out or answered no image (params: basemap, status?) */
  basemap_unavailable: 502,
  /** no headless Chromium to render a PDF (report, package, map print): missing or failed to start */
  pdf_unavailable: 503,
  /** a map print waited its turn (one at a time per process) longer than it may (params: waitSeconds) */
  print_busy: 503,
  /** the print page did not become ready: its data failed or it ran past the limit (params: reason, seconds?) */
  print_failed: 502,
  // the server itself
  internal_error: 500,
  database_unavailable: 503,
  /** no database connection came free within the wait: the server is busy, not down */
  database_busy: 503,
  /** a statement ran past its statement_timeout and was cancelled */
  query_timeout: 503,
  /** the connection was lost during COMMIT and the database could not yet say whether it committed */
  commit_unknown: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** Values a message may be worded from: plain data, or a label in both languages. */
export type ErrorParam = string | number | boolean | null | { zh: string; en: string } | ErrorParam[] | { [key: string]: ErrorParam | undefined };
export type ErrorParams = Record<string, ErrorParam | undefined>;

/** The body of every refusal. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  params: ErrorParams;
  field?: string;
}

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);

/**
 * Findings of an import preview (导入检查), per feature: errors keep a batch from being written,
 * warnings do not. Worded by the client from the same table as errors.
 */
export const IMPORT_ISSUE_CODES = [
  'self_intersection', 'invalid_geometry', 'outside_district', 'missing_field', 'duplicate_code', 'bad_value', 'geometry_type',
  'no_geometry', 'unknown_code', 'unclosed_ring', 'duplicate_points', 'spike', 'area_mismatch', 'not_allowed', 'stale',
] as const;
export type ImportIssueCode = (typeof IMPORT_ISSUE_CODES)[number];
