// Crossbar list responses: v2 pagination (crossbar_doc load_view) and query-string filters (crossbar_filter.erl).
import type { Pagination } from './envelope.js';
import { getPath, hasPath, isJsonObject, type JsonObject } from './json.js';

const DEFAULT_PAGE_SIZE = 50;

/** api_util:encode_start_key/1: base64url of erlang:term_to_binary(Key) for a binary key, unpadded. */
function encodeStartKey(key: string): string {
  const bytes = Buffer.from(key, 'utf8');
  const header = Buffer.alloc(6);
  header.writeUInt8(131, 0); // external term format version
  header.writeUInt8(109, 1); // BINARY_EXT
  header.writeUInt32BE(bytes.length, 2);
  return Buffer.concat([header, bytes]).toString('base64url');
}

/** api_util:decode_start_key/1: a key that does not decode is used as given (raw keys work too). */
function decodeStartKey(encoded: string): string {
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.length >= 6 && bytes[0] === 131 && bytes[1] === 109 && bytes.readUInt32BE(2) === bytes.length - 6) {
    const decoded = bytes.subarray(6).toString('utf8');
    if (encodeStartKey(decoded) === encoded.replace(/=+$/, '')) return decoded;
  }
  return encoded;
}

function pageSizeFrom(query: Record<string, string>): number {
  const raw = query.page_size;
  if (raw === undefined || !/^\d+$/.test(raw)) return DEFAULT_PAGE_SIZE;
  const size = Number.parseInt(raw, 10);
  return size > 0 ? size : DEFAULT_PAGE_SIZE;
}

function asFilterString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function filterEquals(doc: JsonObject, path: string, wanted: string): boolean {
  const actual = asFilterString(getPath(doc, path));
  if (actual === undefined) return false;
  if (wanted.startsWith('[')) {
    try {
      const options: unknown = JSON.parse(wanted);
      if (Array.isArray(options)) return options.some((option) => asFilterString(option) === actual);
    } catch {
      // not a JSON array: compared as a plain string below
    }
  }
  return actual === wanted;
}

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isJsonObject(value)) return Object.keys(value).length === 0;
  return false;
}

function timeBound(doc: JsonObject, field: 'pvt_created' | 'pvt_modified', raw: string, compare: (a: number, b: number) => boolean): boolean {
  if (!/^\d+$/.test(raw)) return false; // a filter that throws excludes the doc
  const value = doc[field];
  return typeof value === 'number' && compare(value, Number.parseInt(raw, 10));
}

/** All query-string filters AND-ed, evaluated against the full stored document. */
function matchesFilters(doc: JsonObject, query: Record<string, string>): boolean {
  for (const [param, value] of Object.entries(query)) {
    let ok = true;
    if (param.startsWith('filter_not_')) ok = !filterEquals(doc, param.slice('filter_not_'.length), value);
    else if (param.startsWith('filter_')) ok = filterEquals(doc, param.slice('filter_'.length), value);
    else if (param === 'has_key') ok = hasPath(doc, value);
    else if (param === 'key_missing') ok = !hasPath(doc, value);
    else if (param === 'has_value') ok = !isEmptyValue(getPath(doc, value));
    else if (param === 'value_missing') ok = isEmptyValue(getPath(doc, value));
    else if (param === 'created_from') ok = timeBound(doc, 'pvt_created', value, (a, b) => a >= b);
    else if (param === 'created_to') ok = timeBound(doc, 'pvt_created', value, (a, b) => a <= b);
    else if (param === 'modified_from') ok = timeBound(doc, 'pvt_modified', value, (a, b) => a >= b);
    else if (param === 'modified_to') ok = timeBound(doc, 'pvt_modified', value, (a, b) => a <= b);
    if (!ok) return false;
  }
  return true;
}

interface ListResult {
  data: JsonObject[];
  pagination: Pagination | undefined;
}

/**
 * One page of a view. Rows must be sorted by key. Like 4.3's crossbar_doc, page_size+1 rows are read from
 * start_key, filters run on that window only, and when a next page exists the reported page_size is N+1.
 */
export function listView<Row extends JsonObject>(
  rows: readonly Row[],
  keyOf: (row: Row) => string,
  summarize: (row: Row) => JsonObject,
  query: Record<string, string>,
): ListResult {
  if (query.paginate === 'false') {
    return { data: rows.filter((row) => matchesFilters(row, query)).map(summarize), pagination: undefined };
  }
  const pageSize = pageSizeFrom(query);
  const startKey = query.start_key !== undefined ? decodeStartKey(query.start_key) : undefined;
  let startIndex = startKey === undefined ? 0 : rows.findIndex((row) => keyOf(row) >= startKey);
  if (startIndex < 0) startIndex = rows.length;
  const window = rows.slice(startIndex, startIndex + pageSize + 1);
  const nextRow = window.length > pageSize ? window[pageSize] : undefined;
  const page = nextRow ? window.slice(0, pageSize) : window;
  const data = page.filter((row) => matchesFilters(row, query)).map(summarize);
  const pagination: Pagination = { page_size: nextRow ? pageSize + 1 : data.length };
  if (startKey !== undefined) pagination.start_key = encodeStartKey(startKey);
  if (nextRow) pagination.next_start_key = encodeStartKey(keyOf(nextRow));
  return { data, pagination };
}
