// The client against the Kazoo simulator: what it refuses without calling (malformed tokens, bodies that cannot be
// JSON, answers it already knows), what counts as Kazoo failing, the codes of writes whose outcome is unknown and of
// logins Kazoo refuses, Kazoo's own text never reaching an error message, the 429 back-off's buckets and release,
// and callers that go away. Time is a fake clock: TTLs, back-off windows and retry delays pass without waiting.
import { createServer } from 'node:net';
import { errors as undiciErrors } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../simulator/index.js';
import type { Simulator } from '../simulator/index.js';
import * as auth from './auth.js';
import { KazooClient } from './client.js';
import type { KazooClientOptions, UpstreamAttempt } from './client.js';
import * as devices from './devices.js';
import { accountPath } from './paths.js';

let simulator: Simulator;
let token: string;
let deviceId: string;
const clients: KazooClient[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ rateLimit: false });
  token = simulator.control.issueToken(simulator.demo.accountId);
  const page = await devices.list({ client: newClient(), token }, simulator.demo.accountId, { pageSize: 1 });
  deviceId = page.items[0]?.id ?? '';
  simulator.control.resetRequests();
});
afterEach(() => {
  simulator.control.setFault(null);
  simulator.control.setRateLimit(false);
  simulator.control.resetRequests();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.destroy()));
  await simulator.close();
});

/**
 * A clock for the client (`options`) that only moves when told to, or when the client sleeps. Back-off releases
 * are not spread (`random` is 0) unless a test says otherwise.
 */
function fakeClock() {
  let now = Date.now();
  const slept: number[] = [];
  return {
    options: {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
      random: () => 0,
    },
    advance: (ms: number) => {
      now += ms;
    },
    slept,
  };
}

/** Resolves once `check` holds: for what the test waits on (a request reaching Kazoo), never for time to pass. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 400) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function newClient(options: Partial<KazooClientOptions> = {}): KazooClient {
  const client = new KazooClient({ baseUrl: simulator.url, timeoutMs: 5_000, ...options });
  clients.push(client);
  return client;
}

const demoDevices = () => accountPath(simulator.demo.accountId, 'devices');
const demoDevice = () => accountPath(simulator.demo.accountId, 'devices', deviceId);

function nested(levels: number, wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = {};
  for (let level = 0; level < levels; level++) value = wrap(value);
  return value;
}

describe('what the client refuses before any call (D1)', () => {
  const MALFORMED_TOKENS = ['abc\r\nX-Evil: 1', 'abc\u0000def', '\u2603', 'ÿ', 'two words', 'x'.repeat(8_193)];

  it('refuses tokens that are not 1..8192 visible ASCII characters: no call, no breaker count, no retry', async () => {
    const attempts: UpstreamAttempt[] = [];
    const client = newClient({ circuitBreaker: { failureThreshold: 3 }, onAttempt: (attempt) => attempts.push(attempt) });
    for (let round = 0; round < 5; round++) {
      for (const malformed of MALFORMED_TOKENS) {
        await expect(auth.whoAmI({ client, token: malformed })).rejects.toMatchObject({
          code: 'UNAUTHENTICATED',
          message: /malformed/,
        });
        await expect(
          client.request({ method: 'PATCH', path: demoDevice(), token: malformed, data: { name: 'x' } }),
        ).rejects.toMatchObject({
          code: 'UNAUTHENTICATED',
          message: /malformed/,
        });
      }
    }
    expect(simulator.control.requests).toEqual([]);
    expect(attempts).toEqual([]);
    expect(client.circuitState).toBe('closed');
    expect((await auth.whoAmI({ client, token })).account_id).toBe(simulator.demo.accountId);
  });

  it('refuses bodies nested 100,000 deep, cyclic or holding a BigInt as INVALID_ARGUMENT without calling Kazoo', async () => {
    const client = newClient({ circuitBreaker: { failureThreshold: 3 } });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const bodies: [unknown, RegExp][] = [
      [nested(100_000, (inner) => ({ a: inner })), /nests more than 64 levels/],
      [{ extra: nested(100_000, (inner) => [inner]) }, /nests more than 64 levels/],
      [cyclic, /cycle/],
      [{ count: 10n }, /JSON cannot represent/],
    ];
    for (let round = 0; round < 5; round++) {
      for (const [data, message] of bodies) {
        await expect(
          devices.patch({ client, token }, simulator.demo.accountId, deviceId, data as Record<string, unknown>),
        ).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
          message,
        });
      }
    }
    expect(simulator.control.requests).toEqual([]);
    expect(client.circuitState).toBe('closed');
  });

  it("passes the HTTP layer's refusal of the gateway's own request on unchanged: not retried, not counted", async () => {
    const attempts: UpstreamAttempt[] = [];
    const client = newClient({ circuitBreaker: { failureThreshold: 3 }, onAttempt: (attempt) => attempts.push(attempt) });
    for (let round = 0; round < 12; round++) {
      // A path no resource module would build (they percent-encode every segment); undici refuses it locally.
      await expect(client.request({ method: 'GET', path: '/v2/token_auth?x=a b', token })).rejects.toBeInstanceOf(
        undiciErrors.InvalidArgumentError,
      );
    }
    expect(attempts).toEqual([]);
    expect(simulator.control.requests).toEqual([]);
    expect(client.circuitState).toBe('closed');
  });

  it('a real 5xx storm still opens the breaker', async () => {
    const client = newClient({ circuitBreaker: { failureThreshold: 3 }, ...fakeClock().options });
    simulator.control.setFault({ kind: 'status', status: 503 });
    await expect(auth.whoAmI({ client, token })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(simulator.control.requests).toHaveLength(3);
    expect(client.circuitState).toBe('open');
  });
});

describe('writes whose outcome is unknown (W13)', () => {
  it.each([
    ['an unreadable 200', { kind: 'malformed' as const }],
    ['a connection reset after Kazoo received it', { kind: 'refuse' as const }],
  ])('a write answered with %s is OUTCOME_UNKNOWN, sent once, and counted by the breaker', async (_name, fault) => {
    const client = newClient({ circuitBreaker: { failureThreshold: 1 } });
    simulator.control.setFault(fault, { match: { method: 'PATCH' } });
    await expect(
      devices.patch({ client, token }, simulator.demo.accountId, deviceId, { language: 'fr-fr' }),
    ).rejects.toMatchObject({
      code: 'OUTCOME_UNKNOWN',
      message: /the change may have been applied; read it back before retrying/,
    });
    expect(simulator.control.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
    expect(client.circuitState).toBe('open');
  });

  it('a quickcall (a GET sent once) whose connection breaks is OUTCOME_UNKNOWN; a read is retried instead', async () => {
    const client = newClient(fakeClock().options);
    const quickcall = accountPath(simulator.demo.accountId, 'devices', deviceId, 'quickcall', '1000');
    simulator.control.setFault({ kind: 'refuse' }, { times: 1 });
    await expect(client.request({ method: 'GET', path: quickcall, token, retry: 'once' })).rejects.toMatchObject({
      code: 'OUTCOME_UNKNOWN',
    });
    simulator.control.setFault({ kind: 'refuse' }, { times: 1 });
    await expect(client.request({ method: 'GET', path: demoDevice(), token })).resolves.toMatchObject({ data: { id: deviceId } });
  });

  it('a write that never reached Kazoo stays UPSTREAM_UNAVAILABLE: connection refused, or the breaker open', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    const unreachable = newClient({ baseUrl: `http://127.0.0.1:${closedPort}`, circuitBreaker: { failureThreshold: 1 } });
    const write = () => devices.patch({ client: unreachable, token }, simulator.demo.accountId, deviceId, { language: 'fr-fr' });
    await expect(write()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: 'Kazoo could not be reached' });
    expect(unreachable.circuitState).toBe('open');
    await expect(write()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: /not calling it/ });
  });
});

describe("Kazoo's text in error messages (W7)", () => {
  it("a 400's message is not passed on, and is kept for logs only, bounded", async () => {
    const client = newClient();
    const leaky = `bad: /srv/kazoo/x.erl password=hunter2 token=abc\u0000${'x'.repeat(500)}`;
    simulator.control.setFault(
      { kind: 'status', status: 400, body: JSON.stringify({ status: 'error', error: '400', message: leaky, data: {} }) },
      { times: 1 },
    );
    const error = await devices
      .patch({ client, token }, simulator.demo.accountId, deviceId, { name: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: 'Kazoo rejected the request' });
    const { kazooMessage } = error as { kazooMessage: string };
    expect(kazooMessage).toHaveLength(100);
    expect(kazooMessage).toMatch(/^[\x20-\x7e]+$/);
  });

  it("describes Kazoo's validation errors in its own words, from the rule and target", async () => {
    const client = newClient();
    await devices.create({ client, token }, simulator.demo.accountId, {
      name: 'Taken',
      sip: { username: 'taken-w7', password: 'secret-pass' },
    });
    const error = await devices
      .create({ client, token }, simulator.demo.accountId, { sip: { username: 'taken-w7', password: 'abc' } })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'VALIDATION' });
    const fieldErrors = (error as { fieldErrors: { field: string; rule: string; message: string }[] }).fieldErrors;
    expect(fieldErrors).toEqual(
      expect.arrayContaining([
        { field: 'name', rule: 'required', message: 'is required' },
        { field: 'sip.username', rule: 'unique', message: 'is already in use' },
        { field: 'sip.password', rule: 'minLength', message: expect.stringMatching(/^must be at least \d+ characters long$/) },
      ]),
    );
    expect(JSON.stringify(fieldErrors)).not.toMatch(/SIP credentials|Field is required|String must/);
  });
});

describe('logins Kazoo refuses (W11)', () => {
  it('a wrong password is INVALID_CREDENTIALS, not a token problem', async () => {
    const client = newClient();
    await expect(
      auth.withCredentials(client, { username: 'admin', password: 'wrong', accountName: 'demo' }),
    ).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: 'Kazoo refused the login: wrong username, password or account name',
      status: 401,
    });
  });

  it('a wrong API key is INVALID_CREDENTIALS', async () => {
    const client = newClient();
    await expect(auth.withApiKey(client, 'f'.repeat(64))).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: 'Kazoo refused the API key',
    });
  });

  it('a login whose answer was lost is UPSTREAM_UNAVAILABLE, to be tried again: it changed nothing a client holds', async () => {
    const client = newClient();
    simulator.control.setFault({ kind: 'malformed' }, { match: { pathIncludes: '/api_auth' } });
    await expect(auth.withApiKey(client, simulator.demo.apiKey)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: "Kazoo's answer to the login was lost; log in again",
    });
  });
});

describe('answers the client already knows (W3)', () => {
  const acmeReadsDemo = (client: KazooClient, acmeToken: string) =>
    client.request({ method: 'GET', path: demoDevices(), token: acmeToken });

  it("after a 403, a token's calls to that account are refused locally for forbiddenTtlMs; other calls go on", async () => {
    const clock = fakeClock();
    const client = newClient({ ...clock.options, forbiddenTtlMs: 30_000 });
    const acmeToken = simulator.control.issueToken(simulator.control.secondary.accountId);
    for (let call = 0; call < 20; call++)
      await expect(acmeReadsDemo(client, acmeToken)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(simulator.control.requests).toHaveLength(1);

    // The same token to its own account, and another token to the refused account, are not affected.
    await client.request({
      method: 'GET',
      path: accountPath(simulator.control.secondary.accountId, 'devices'),
      token: acmeToken,
    });
    await client.request({ method: 'GET', path: demoDevices(), token });
    expect(simulator.control.requests).toHaveLength(3);

    clock.advance(30_000);
    await expect(acmeReadsDemo(client, acmeToken)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(simulator.control.requests).toHaveLength(4);
  });

  it("after a 401, the token is refused locally for refusedTtlMs and its verdict is 'refused'", async () => {
    const clock = fakeClock();
    const client = newClient({ ...clock.options, refusedTtlMs: 30_000 });
    const forged = 'eyJhbGciOiJIUzI1NiJ9.e30.x';
    expect(client.tokenVerdict(forged)).toBe('unknown');
    for (let call = 0; call < 20; call++)
      await expect(auth.whoAmI({ client, token: forged })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(simulator.control.requests).toHaveLength(1);
    expect(client.tokenVerdict(forged)).toBe('refused');

    clock.advance(30_000);
    expect(client.tokenVerdict(forged)).toBe('unknown');
    await expect(auth.whoAmI({ client, token: forged })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(simulator.control.requests).toHaveLength(2);
  });

  it("a 2xx makes the token 'accepted' for acceptedTtlMs, never past its JWT exp", async () => {
    const clock = fakeClock();
    const client = newClient({ ...clock.options, acceptedTtlMs: 300_000 });
    const shortLived = simulator.control.issueToken(simulator.demo.accountId, { ttlSeconds: 60 });
    await auth.whoAmI({ client, token });
    await auth.whoAmI({ client, token: shortLived });
    expect(client.tokenVerdict(token)).toBe('accepted');
    expect(client.tokenVerdict(shortLived)).toBe('accepted');

    clock.advance(61_000);
    expect(client.tokenVerdict(shortLived)).toBe('unknown');
    expect(client.tokenVerdict(token)).toBe('accepted');
    clock.advance(300_000);
    expect(client.tokenVerdict(token)).toBe('unknown');
  });

  it('remembers at most maxTokenVerdicts tokens, the least recently used first out', async () => {
    const client = newClient({ maxTokenVerdicts: 2 });
    const tokens = [0, 1, 2].map((index) =>
      simulator.control.issueToken(simulator.demo.accountId, { ttlSeconds: 3_000 + index }),
    );
    for (const each of tokens) await auth.whoAmI({ client, token: each });
    expect(tokens.map((each) => client.tokenVerdict(each))).toEqual(['unknown', 'accepted', 'accepted']);
  });
});

describe('the 429 back-off (W3)', () => {
  it("a tenant's 429 on token_auth holds back that tenant only, not every tenant's token checks", async () => {
    const clock = fakeClock();
    const client = newClient({ ...clock.options, readRetries: 0 });
    const acmeToken = simulator.control.issueToken(simulator.control.secondary.accountId);
    simulator.control.setFault({ kind: 'status', status: 429 }, { times: 1, match: { pathIncludes: '/token_auth' } });
    await expect(auth.whoAmI({ client, token: acmeToken })).rejects.toMatchObject({ code: 'RATE_LIMITED' });

    await expect(auth.whoAmI({ client, token })).resolves.toMatchObject({ account_id: simulator.demo.accountId });
    expect(clock.slept).toEqual([]);
    // acme's own next check waits out its window first.
    await auth.whoAmI({ client, token: acmeToken });
    expect(clock.slept).toEqual([500]);
  });

  it('a burst of 429s escalates the wait once per window, not once per 429', async () => {
    const clock = fakeClock();
    const client = newClient({ ...clock.options, readRetries: 0 });
    simulator.control.setFault({ kind: 'status', status: 429 }, { match: { pathIncludes: '/devices' } });
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        client
          .request({ method: 'GET', path: demoDevices(), token, query: { page_size: index + 1 } })
          .catch((error: unknown) => error),
      ),
    );
    expect(simulator.control.requests).toHaveLength(10);
    expect(burst.map((error) => (error as { retryAfterMs: number }).retryAfterMs)).toEqual(Array(10).fill(500));

    // After the window, Kazoo still refusing doubles the wait once.
    clock.advance(500);
    await expect(client.request({ method: 'GET', path: demoDevices(), token })).rejects.toMatchObject({ retryAfterMs: 1_000 });
    // And a success after the window ends the episode.
    simulator.control.setFault(null);
    clock.advance(1_000);
    await client.request({ method: 'GET', path: demoDevices(), token });
    simulator.control.setFault({ kind: 'status', status: 429 }, { times: 1 });
    await expect(client.request({ method: 'GET', path: demoDevice(), token })).rejects.toMatchObject({ retryAfterMs: 500 });
  });

  it('releases the calls a window held back spread over the period after it, none before it ends', async () => {
    const start = Date.now();
    const wakeUps: number[] = [];
    let draw = 0;
    const client = newClient({
      now: () => start,
      // Records when each waiter would wake, and lets it go at once.
      sleep: async (ms: number) => {
        wakeUps.push(start + ms);
      },
      random: () => (draw++ % 10) / 10,
      readRetries: 0,
    });
    simulator.control.setFault({ kind: 'status', status: 429 }, { times: 1, match: { pathIncludes: '/devices' } });
    await expect(client.request({ method: 'GET', path: demoDevices(), token })).rejects.toMatchObject({ retryAfterMs: 500 });

    const held = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        client.request({ method: 'GET', path: demoDevices(), token, query: { page_size: index + 1 } }),
      ),
    );
    expect(held).toHaveLength(10);
    // The 500 ms window, then a release period as long as it: ten waiters, ten moments 50 ms apart.
    expect(wakeUps.map((at) => at - start).sort((a, b) => a - b)).toEqual([500, 550, 600, 650, 700, 750, 800, 850, 900, 950]);
  });
});

describe('a caller that goes away (cancellation)', () => {
  it('aborts its read in flight: CANCELLED, not retried, not counted by the breaker', async () => {
    const attempts: UpstreamAttempt[] = [];
    const client = newClient({ circuitBreaker: { failureThreshold: 1 }, onAttempt: (attempt) => attempts.push(attempt) });
    simulator.control.setFault({ kind: 'hang' }, { match: { pathIncludes: '/devices' } });
    const caller = new AbortController();
    const read = client.request({ method: 'GET', path: demoDevices(), token, signal: caller.signal });
    await until(() => simulator.control.requests.length === 1, 'the read to reach Kazoo');
    caller.abort();
    await expect(read).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(simulator.control.requests).toHaveLength(1);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['CANCELLED']);
    expect(client.circuitState).toBe('closed');
  });

  it.each([
    ['a back-off wait after a 429', 429],
    ['the delay before retrying a 503', 503],
  ])('abandons %s at once, and calls Kazoo no more', async (_name, status) => {
    const waits: number[] = [];
    const client = newClient({
      // A wait that never ends by itself: only the caller going away can end it.
      sleep: (ms: number) => {
        waits.push(ms);
        return new Promise<void>(() => undefined);
      },
      random: () => 0.5,
    });
    simulator.control.setFault({ kind: 'status', status }, { match: { pathIncludes: '/devices' } });
    const caller = new AbortController();
    const read = client.request({ method: 'GET', path: demoDevices(), token, signal: caller.signal });
    await until(() => waits.length === 1, 'the client to wait');
    caller.abort();
    await expect(read).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(simulator.control.requests).toHaveLength(1);
  });

  it('makes no call at all for a caller already gone', async () => {
    const caller = new AbortController();
    caller.abort();
    await expect(auth.whoAmI({ client: newClient(), token, signal: caller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(simulator.control.requests).toEqual([]);
  });

  it('lets a write already sent finish (it is applied as asked), but never sends one whose caller left while it waited', async () => {
    const client = newClient({ sleep: () => new Promise<void>(() => undefined) });
    simulator.control.setFault({ kind: 'hang' }, { match: { method: 'PATCH' } });
    const caller = new AbortController();
    const write = devices.patch({ client, token, signal: caller.signal }, simulator.demo.accountId, deviceId, { language: 'fr-ca' });
    await until(() => simulator.control.requests.length === 1, 'the write to reach Kazoo');
    caller.abort();
    simulator.control.setFault(null);
    await expect(write).resolves.toMatchObject({ language: 'fr-ca' });

    // A 429 on the account, then a write that waits for its window and whose caller leaves meanwhile.
    simulator.control.setFault({ kind: 'status', status: 429 }, { times: 1 });
    await expect(client.request({ method: 'GET', path: demoDevice(), token, retry: 'once' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    const waiting = new AbortController();
    const held = devices.patch({ client, token, signal: waiting.signal }, simulator.demo.accountId, deviceId, { language: 'de-de' });
    waiting.abort();
    await expect(held).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(simulator.control.requests.filter((request) => request.method === 'PATCH')).toHaveLength(1);
  });

  it('a caller leaving a coalesced read does not cut it off for the others; the last one leaving does', async () => {
    const attempts: UpstreamAttempt[] = [];
    const client = newClient({ onAttempt: (attempt) => attempts.push(attempt) });
    simulator.control.setFault({ kind: 'hang' }, { match: { pathIncludes: '/devices' } });
    const [first, second] = [new AbortController(), new AbortController()];
    const firstRead = client.request({ method: 'GET', path: demoDevices(), token, signal: first.signal });
    const secondRead = client.request({ method: 'GET', path: demoDevices(), token, signal: second.signal });
    await until(() => simulator.control.requests.length === 1, 'the read to reach Kazoo');
    first.abort();
    await expect(firstRead).rejects.toMatchObject({ code: 'CANCELLED' });
    simulator.control.setFault(null);
    await expect(secondRead).resolves.toMatchObject({ data: expect.any(Array) });
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['ok']);

    simulator.control.setFault({ kind: 'hang' }, { match: { pathIncludes: '/devices' } });
    const [third, fourth] = [new AbortController(), new AbortController()];
    const reads = [third, fourth].map((caller) => client.request({ method: 'GET', path: demoDevices(), token, signal: caller.signal }));
    await until(() => simulator.control.requests.length === 2, 'the second read to reach Kazoo');
    third.abort();
    fourth.abort();
    for (const read of reads) await expect(read).rejects.toMatchObject({ code: 'CANCELLED' });
    await until(() => attempts.length === 2, 'the shared call to stop');
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['ok', 'CANCELLED']);
    // A read after that is a call of its own, not one joining the stopped call.
    simulator.control.setFault(null);
    await expect(client.request({ method: 'GET', path: demoDevices(), token })).resolves.toMatchObject({ data: expect.any(Array) });
    expect(simulator.control.requests).toHaveLength(3);
  });
});
