// Signed cursors: a cursor is accepted only by gateways holding the key that made it (CURSOR_SECRET), and anything
// else in `after` (a forged Kazoo start key above all, which Kazoo would hand to binary_to_term) is BAD_USER_INPUT
// before any Kazoo call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startGateway } from '../../src/server/gateway.js';
import type { Gateway } from '../../src/server/gateway.js';
import { errorCodes, startHarness } from '../helpers/harness.js';
import type { GraphQLResult, Harness } from '../helpers/harness.js';

const SECRET = 'a cursor secret of at least 32 characters';
const OTHER_SECRET = 'another cursor secret, also long enough';

let harness: Harness;
let sameKey: Gateway;
let otherKey: Gateway;

function gatewayWith(cursorSecret: string): Promise<Gateway> {
  return startGateway({
    kazooUrl: harness.simulator.url,
    port: 0,
    host: '127.0.0.1',
    kazooTimeoutMs: 5_000,
    maxBodyBytes: 1_048_576,
    introspection: false,
    logger: createLogger('silent'),
    metrics: false,
    cursorSecret,
  });
}

beforeAll(async () => {
  harness = await startHarness({ gateway: { cursorSecret: SECRET } });
  [sameKey, otherKey] = await Promise.all([gatewayWith(SECRET), gatewayWith(OTHER_SECRET)]);
});
afterAll(async () => {
  await Promise.all([sameKey?.close(), otherKey?.close()]);
  await harness?.close();
});

interface Page {
  devices: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const PAGE = `query($a: ID!, $after: String) { devices(accountId: $a, first: 3, after: $after) {
  nodes { id registration { registered } } pageInfo { hasNextPage endCursor } } }`;

async function page(gateway: Gateway, after: string | null): Promise<GraphQLResult<Page>> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': harness.token },
    body: JSON.stringify({ query: PAGE, variables: { a: harness.accountId, after } }),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLResult<Page>, 'status'>) };
}

/** The review's cursor: an unsigned `{k, o}` whose start key is an Erlang external term of 40 fresh atoms. */
function erlangTermCursor(): string {
  const atoms = Array.from({ length: 40 }, (_, index) => `a${Date.now().toString(36).slice(-5)}${index}`);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(atoms.length);
  const term = Buffer.concat([
    Buffer.from([131, 108]),
    length,
    ...atoms.flatMap((atom) => [Buffer.from([119, atom.length]), Buffer.from(atom)]),
    Buffer.from([106]),
  ]);
  return Buffer.from(JSON.stringify({ k: term.toString('base64url'), o: 0 })).toString('base64url');
}

describe('cursors', () => {
  it('continue on another gateway with the same CURSOR_SECRET, exactly where the first stopped', async () => {
    const first = await page(harness.gateway, null);
    const after = first.data?.devices.pageInfo.endCursor ?? null;
    expect(after).not.toBeNull();
    const here = await page(harness.gateway, after);
    const there = await page(sameKey, after);
    expect(there.errors).toBeUndefined();
    expect(there.data?.devices.nodes.map((node) => node.id)).toEqual(here.data?.devices.nodes.map((node) => node.id));
    expect(there.data?.devices.nodes[0]?.id).not.toBe(first.data?.devices.nodes[0]?.id);
  });

  it('are BAD_USER_INPUT on a gateway with another key, and nothing is asked of Kazoo', async () => {
    const after = (await page(harness.gateway, null)).data?.devices.pageInfo.endCursor ?? null;
    harness.simulator.control.resetRequests();
    const result = await page(otherKey, after);
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toBe('`after` is not a cursor this API returned');
    expect(harness.simulator.control.requests).toEqual([]);
  });

  it('refuse a forged start key and an altered cursor before any Kazoo call', async () => {
    const real = (await page(harness.gateway, null)).data?.devices.pageInfo.endCursor ?? '';
    const altered = Buffer.from(real, 'base64url');
    altered[altered.length - 3] = (altered[altered.length - 3] as number) ^ 1;
    for (const after of [erlangTermCursor(), altered.toString('base64url')]) {
      harness.simulator.control.resetRequests();
      const result = await page(harness.gateway, after);
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(harness.simulator.control.requests).toEqual([]);
    }
  });
});

describe('CURSOR_SECRET', () => {
  it('is read from the environment, and unset by default', () => {
    expect(loadConfig({}).cursorSecret).toBeUndefined();
    expect(loadConfig({ CURSOR_SECRET: SECRET }).cursorSecret).toBe(SECRET);
  });

  it('is refused at start-up when shorter than 32 characters, without repeating it', () => {
    const short = 'too-short-to-be-a-key';
    expect(() => loadConfig({ CURSOR_SECRET: short })).toThrow(ConfigError);
    expect(() => loadConfig({ CURSOR_SECRET: short })).toThrow(/^CURSOR_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ CURSOR_SECRET: short })).not.toThrow(short);
  });
});
