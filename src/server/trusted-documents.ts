// Trusted documents manifests: the query texts a deployment's clients were built with, as JSON
// `{ "sha256:<hex>": "<document>" }`, the persisted-documents.json that codegen's client preset writes with
// `persistedDocuments` (older codegen wrote the bare hex; both are read). Each id is checked against its text when
// the manifest is read, so a hand-edited or mismatched manifest stops start-up instead of refusing clients later.
// The document registry (document-registry.ts) then resolves `documentId`s against them for every transport.
import { readFileSync } from 'node:fs';
import { queryHash } from './document-registry.js';

/** A manifest that cannot be read or does not hold what it must; its message names the file and the entry. */
export class TrustedDocumentsError extends Error {
  override readonly name = 'TrustedDocumentsError';
}

/** A manifest's documents by SHA-256 of their text (hex), the registry's own key. */
export type TrustedDocuments = ReadonlyMap<string, string>;

const MANIFEST_ID = /^(?:sha256:)?([0-9a-f]{64})$/;

/** The documents of a parsed manifest; `source` names it in messages. */
export function parseTrustedDocuments(manifest: unknown, source: string): Map<string, string> {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new TrustedDocumentsError(`${source} must be a JSON object of "sha256:<hash>": "<document>" entries (codegen's persisted-documents.json)`);
  }
  const documents = new Map<string, string>();
  for (const [id, text] of Object.entries(manifest)) {
    const hash = MANIFEST_ID.exec(id)?.[1];
    if (hash === undefined) throw new TrustedDocumentsError(`${source}: "${id}" is not a SHA-256 document id (sha256: and 64 lower-case hex digits)`);
    if (typeof text !== 'string') throw new TrustedDocumentsError(`${source}: the document of ${id} is not a string`);
    if (queryHash(text) !== hash) throw new TrustedDocumentsError(`${source}: ${id} is not the SHA-256 of its document`);
    documents.set(hash, text);
  }
  return documents;
}

/** Reads a manifest file (TRUSTED_DOCUMENTS). */
export function readTrustedDocuments(path: string): Map<string, string> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TrustedDocumentsError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(raw);
  } catch {
    throw new TrustedDocumentsError(`${path} is not valid JSON`);
  }
  return parseTrustedDocuments(manifest, path);
}
