// Trusted documents: a client names a document of the manifest (TRUSTED_DOCUMENTS) by `documentId`, over HTTP (POST
// body or GET query string) and over graphql-ws (`extensions.documentId`, with an empty query); a trusted-only
// gateway (TRUSTED_DOCUMENTS_ONLY) refuses every other document over both transports before parsing it, and
// automatic persisted queries, yet runs its own dashboard; a manifest is checked when the configuration is read.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient as createSseClient } from 'graphql-sse';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { documentIdOf } from '../../src/ui/dashboard/gateway-client.js';
import { DashboardAccountDocument, DashboardRegistrationsDocument } from '../../src/ui/generated/graphql.js';
import { createFakeUiBuild, UI_TRUSTED_DOCUMENTS } from '../helpers/fake-ui-build.js';
import type { FakeUiBuild } from '../helpers/fake-ui-build.js';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { connect, firstResult } from '../subscriptions/helpers.js';

const VIEWER = 'query TrustedViewer { viewer { accountId } }';
const RENAME = 'mutation TrustedRename($id: ID!) { updateDevice(id: $id, input: { name: "Renamed" }) { userErrors { code } } }';
const LIVE = 'subscription TrustedLive { registrationChanged(initial: true) { deviceId } }';
const AD_HOC = 'query AdHoc { viewer { accountId } }';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const idOf = (text: string): string => `sha256:${sha256(text)}`;
const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;

let dir: string;
let ui: FakeUiBuild;
/** Trusted-only, with the three documents above in its manifest and the (fake) UI build's own. */
let locked: Harness;
/** The same manifest, any document allowed. */
let open: Harness;
let socket: Client;

const writeManifest = (name: string, manifest: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return path;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trusted-documents-'));
  ui = createFakeUiBuild();
  const manifest = writeManifest('persisted-documents.json', Object.fromEntries([VIEWER, RENAME, LIVE].map((text) => [idOf(text), text])));
  const config = loadConfig({ TRUSTED_DOCUMENTS: manifest, TRUSTED_DOCUMENTS_ONLY: 'true' });
  locked = await startHarness({
    gateway: { trustedDocuments: config.trustedDocuments, trustedDocumentsOnly: config.trustedDocumentsOnly, uiDir: ui.dir },
  });
  open = await startHarness({ gateway: { trustedDocuments: loadConfig({ TRUSTED_DOCUMENTS: manifest }).trustedDocuments } });
  socket = connect(locked.gateway.url, { authToken: locked.token }, { keepOpen: true });
});
afterAll(async () => {
  await socket.dispose();
  await Promise.all([locked.close(), open.close()]);
  ui.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** A GET request to a gateway's /graphql with these parameters, as JSON. */
async function get(harness: Harness, parameters: Record<string, string>): Promise<{ status: number; body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } }> {
  const response = await fetch(`${harness.gateway.url}/graphql?${new URLSearchParams(parameters).toString()}`, {
    // A content type: Apollo's CSRF prevention refuses simple GET requests.
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-auth-token': harness.token },
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown } };
}

describe('a trusted-only gateway', () => {
  it('runs a document of its manifest named by documentId, in a POST body or a GET query string', async () => {
    const posted = await locked.post({ documentId: idOf(VIEWER) });
    expect(posted).toMatchObject({ status: 200, data: { viewer: { accountId: locked.accountId } } });
    const fetched = await get(locked, { documentId: idOf(VIEWER) });
    expect(fetched).toMatchObject({ status: 200, body: { data: { viewer: { accountId: locked.accountId } } } });
  });

  it('refuses an ad-hoc query over HTTP, POST or GET, before anything reaches Kazoo', async () => {
    locked.simulator.control.resetRequests();
    const posted = await locked.graphql(AD_HOC);
    expect(posted.status).toBe(400);
    expect(errorCodes(posted)).toEqual(['PERSISTED_DOCUMENT_REQUIRED']);
    const fetched = await get(locked, { query: AD_HOC });
    expect(fetched.status).toBe(400);
    expect(fetched.body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_DOCUMENT_REQUIRED']);
    // A manifest document reformatted is another document.
    expect(errorCodes(await locked.graphql(VIEWER.replace('{ viewer', '{  viewer')))).toEqual(['PERSISTED_DOCUMENT_REQUIRED']);
    expect(locked.simulator.control.requests).toEqual([]);
  });

  it('accepts the exact text of a manifest document, which is the document itself', async () => {
    expect(await locked.graphql(VIEWER)).toMatchObject({ status: 200, data: { viewer: { accountId: locked.accountId } } });
  });

  it('runs manifest documents named by extensions.documentId over WebSocket, and refuses ad-hoc ones there too', async () => {
    expect(await firstResult(socket, { query: '', extensions: { documentId: idOf(VIEWER) } })).toMatchObject({
      data: { viewer: { accountId: locked.accountId } },
    });
    const live = await firstResult(socket, { query: '', extensions: { documentId: idOf(LIVE) } });
    expect(live.data).toMatchObject({ registrationChanged: { deviceId: expect.any(String) } });

    const refused = await firstResult(socket, { query: LIVE.replace('TrustedLive', 'AdHocLive') });
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_DOCUMENT_REQUIRED']);
    expect(refused.errors?.[0]?.extensions).not.toHaveProperty('http');
    // The socket stays open for the next operation.
    expect((await firstResult(socket, { query: '', extensions: { documentId: idOf(VIEWER) } })).data).toBeDefined();
  });

  it('runs manifest documents over Server-Sent Events too, and refuses ad-hoc ones there', async () => {
    const sse = createSseClient({ url: `${locked.gateway.url}/graphql/stream`, headers: { 'x-auth-token': locked.token }, retryAttempts: 0 });
    const first = async (payload: { query: string; extensions?: Record<string, unknown> }) => {
      for await (const result of sse.iterate(payload)) return result;
      throw new Error('the stream completed without a result');
    };
    try {
      expect(await first({ query: '', extensions: { documentId: idOf(VIEWER) } })).toMatchObject({ data: { viewer: { accountId: locked.accountId } } });
      const refused = await first({ query: AD_HOC });
      expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_DOCUMENT_REQUIRED']);
    } finally {
      sse.dispose();
    }
  });

  it('refuses an unknown documentId with PERSISTED_DOCUMENT_NOT_FOUND: 404 over HTTP, an error over WebSocket', async () => {
    for (const documentId of [UNKNOWN_ID, 'md5:0cc175b9c0f1b6a831c399e269772661', idOf(AD_HOC)]) {
      const posted = await locked.post({ documentId });
      expect(posted.status).toBe(404);
      expect(errorCodes(posted)).toEqual(['PERSISTED_DOCUMENT_NOT_FOUND']);
    }
    expect((await get(locked, { documentId: UNKNOWN_ID })).status).toBe(404);
    const overSocket = await firstResult(socket, { query: '', extensions: { documentId: UNKNOWN_ID } });
    expect(overSocket.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_DOCUMENT_NOT_FOUND']);
  });

  it('refuses automatic persisted queries: neither a hash alone, even a trusted one, nor a registration', async () => {
    const byHash = await locked.post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(VIEWER) } } });
    expect(errorCodes(byHash)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    const registration = await locked.post({ query: AD_HOC, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(AD_HOC) } } });
    expect(errorCodes(registration)).toEqual(['PERSISTED_DOCUMENT_REQUIRED']);
    expect(errorCodes(await locked.post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(AD_HOC) } } }))).toEqual([
      'PERSISTED_QUERY_NOT_SUPPORTED',
    ]);
  });

  it('refuses a request with both a query and a documentId, and a mutation named by documentId over GET (405)', async () => {
    const both = await locked.post({ query: VIEWER, documentId: idOf(VIEWER) });
    expect(both.status).toBe(400);
    expect(errorCodes(both)).toEqual(['BAD_REQUEST']);
    expect((await get(locked, { documentId: idOf(RENAME), variables: JSON.stringify({ id: 'x' }) })).status).toBe(405);
    const renamed = await locked.post({ documentId: idOf(RENAME), variables: { id: 'not a device id' } });
    expect(renamed.data).toEqual({ updateDevice: { userErrors: [{ code: 'INVALID_FORMAT' }] } });
  });

  it('runs the dashboard its UI build serves, whose documents its own manifest does not list', async () => {
    const account = await locked.post<{ account: { kazooId: string } }>({
      documentId: documentIdOf(DashboardAccountDocument),
      variables: { accountId: null },
    });
    expect(account.errors).toBeUndefined();
    expect(account.data?.account.kazooId).toBe(locked.accountId);
    const live = await firstResult(socket, { query: '', extensions: { documentId: documentIdOf(DashboardRegistrationsDocument) }, variables: {} });
    expect(live.errors).toBeUndefined();
    expect(live.data).toMatchObject({ registrationChanged: { deviceId: expect.any(String) } });
  });
});

describe('a gateway with a manifest that is not trusted-only', () => {
  it('runs documentIds and ad-hoc queries alike', async () => {
    expect((await open.post({ documentId: idOf(VIEWER) })).data).toEqual({ viewer: { accountId: open.accountId } });
    expect((await open.graphql(AD_HOC)).data).toEqual({ viewer: { accountId: open.accountId } });
  });

  it('keeps automatic persisted queries on: a hash first unknown, then registered with its text, then run by hash', async () => {
    const query = 'query Apq { viewer { accountId } }';
    const apq = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    expect(errorCodes(await open.post({ extensions: apq }))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await open.post({ query, extensions: apq })).data).toEqual({ viewer: { accountId: open.accountId } });
    expect((await open.post({ extensions: apq })).data).toEqual({ viewer: { accountId: open.accountId } });
  });
});

describe('TRUSTED_DOCUMENTS', () => {
  it('reads the manifest codegen generates for the gateway’s own pages, and bare hex ids of older codegen', () => {
    const generated = JSON.parse(readFileSync(UI_TRUSTED_DOCUMENTS, 'utf8')) as Record<string, string>;
    const documents = loadConfig({ TRUSTED_DOCUMENTS: UI_TRUSTED_DOCUMENTS }).trustedDocuments;
    expect(documents?.size).toBe(Object.keys(generated).length);
    expect(documents?.get(documentIdOf(DashboardAccountDocument).slice('sha256:'.length))).toContain('query DashboardAccount');
    const bare = writeManifest('bare.json', { [sha256(VIEWER)]: VIEWER });
    expect(loadConfig({ TRUSTED_DOCUMENTS: bare }).trustedDocuments).toEqual(new Map([[sha256(VIEWER), VIEWER]]));
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.json'), /cannot read .*missing\.json \(ENOENT\)/],
    ['a file that is not JSON', () => writeManifest('broken.json', '{"sha256:'), /broken\.json is not valid JSON/],
    ['a list rather than an object', () => writeManifest('list.json', [VIEWER]), /must be a JSON object/],
    ['an id that is not SHA-256', () => writeManifest('md5.json', { 'md5:0cc175b9c0f1b6a831c399e269772661': VIEWER }), /"md5:0cc1.*" is not a SHA-256 document id/],
    ['a document that is not a string', () => writeManifest('number.json', { [idOf(VIEWER)]: 42 }), /the document of sha256:\w+ is not a string/],
    ['an id that is not its document’s hash', () => writeManifest('edited.json', { [idOf(VIEWER)]: AD_HOC }), /sha256:\w+ is not the SHA-256 of its document/],
  ])('stops start-up on %s, naming the setting', (_what, path, message) => {
    const read = () => loadConfig({ TRUSTED_DOCUMENTS: path() });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/^TRUSTED_DOCUMENTS: /);
    expect(read).toThrow(message);
  });

  it('is required by TRUSTED_DOCUMENTS_ONLY, which is off by default', () => {
    expect(loadConfig({})).toMatchObject({ trustedDocuments: undefined, trustedDocumentsOnly: false });
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_ONLY: 'true' })).toThrow(/TRUSTED_DOCUMENTS_ONLY needs TRUSTED_DOCUMENTS/);
  });
});
