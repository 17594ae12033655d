// JSON document helpers shared by the simulator: dotted paths, deep merge (PATCH semantics) and
// Kazoo's public/private field split (keys starting with `_` or `pvt_` are private, kz_doc.erl).

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

function isPrivateKey(key: string): boolean {
  return key.startsWith('_') || key.startsWith('pvt_');
}

/** The public view of a stored document: private keys removed, `id` taken from `_id`. */
export function publicFields(doc: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!isPrivateKey(key)) out[key] = clone(value);
  }
  if (typeof doc._id === 'string') out.id = doc._id;
  return out;
}

export function privateFields(doc: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(doc)) {
    if (isPrivateKey(key)) out[key] = clone(value);
  }
  return out;
}

/** Request data as Crossbar keeps it: private keys and `id` are dropped (cb_context copy_req_data_to_doc). */
export function requestFields(data: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(data)) {
    if (!isPrivateKey(key) && key !== 'id') out[key] = clone(value);
  }
  return out;
}

function splitPath(path: string): string[] {
  return path.split('.').filter((part) => part.length > 0);
}

export function getPath(doc: unknown, path: string | readonly string[]): unknown {
  const parts = typeof path === 'string' ? splitPath(path) : path;
  let current: unknown = doc;
  for (const part of parts) {
    if (Array.isArray(current)) {
      const index = Number(part);
      if (!Number.isInteger(index)) return undefined;
      current = current[index];
    } else if (isJsonObject(current)) {
      current = Object.prototype.hasOwnProperty.call(current, part) ? current[part] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

export function hasPath(doc: unknown, path: string): boolean {
  const parts = splitPath(path);
  const last = parts.pop();
  if (last === undefined) return false;
  const parent = getPath(doc, parts);
  return isJsonObject(parent) && Object.prototype.hasOwnProperty.call(parent, last);
}

/** PATCH merge: objects merge recursively, `null` deletes the key, anything else replaces. */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out = clone(target);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else if (isJsonObject(value) && isJsonObject(out[key])) {
      out[key] = mergePatch(out[key] as JsonObject, value);
    } else {
      out[key] = clone(value);
    }
  }
  return out;
}

/** Deterministic serialisation (sorted keys) so equal documents hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function dropUndefined(entries: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}
