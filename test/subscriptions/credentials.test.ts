// Which token polls an account: the service credential (logged in and renewed by the gateway), otherwise the
// subscribers' own tokens, switching to the next one when Kazoo refuses one (and ending the refused subscriber).
// These drive the live registrations service directly, with tokens no connection would have let through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KazooClient } from '../../src/kazoo/client.js';
import { isKazooError } from '../../src/kazoo/errors.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { LiveData } from '../../src/subscriptions/live-data.js';
import { PollCredentials } from '../../src/subscriptions/poll-credentials.js';
import type { RegistrationEventModel } from '../../src/subscriptions/registration-event.js';
import { ServiceCredential } from '../../src/subscriptions/service-credential.js';
import { SubscriberTokens } from '../../src/subscriptions/subscriber-tokens.js';
import { POLL_MS, waitFor } from './helpers.js';

const silent = createLogger('silent');
let simulator: Simulator;
let client: KazooClient;

beforeAll(async () => {
  simulator = await startSimulator({ rateLimit: false, tokenTtlSeconds: 100 });
  client = new KazooClient({ baseUrl: simulator.url, timeoutMs: 5_000 });
});

afterAll(async () => {
  await client?.close();
  await simulator?.close();
});

/** A token shaped like Kazoo's (a JWT that has not expired) that Kazoo refuses: its signature is wrong. */
function forgedToken(): string {
  const token = simulator.control.issueToken(simulator.demo.accountId);
  return `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
}

interface Seen {
  events: RegistrationEventModel[];
  errors: unknown[];
}

/** Reads a subscription's events as graphql-ws would, recording them and the error it ends with. */
function collect(stream: AsyncIterable<RegistrationEventModel>): Seen {
  const seen: Seen = { events: [], errors: [] };
  void (async () => {
    try {
      for await (const event of stream) seen.events.push(event);
    } catch (error) {
      seen.errors.push(error);
    }
  })();
  return seen;
}

function logins(path: string): number {
  return simulator.control.requests.filter((request) => request.path === path).length;
}

describe('SubscriberTokens', () => {
  it('offers the longest-standing usable token, skipping refused and expired ones', () => {
    const tokens = new SubscriberTokens();
    const expired = simulator.control.issueToken(simulator.demo.accountId, { ttlSeconds: -10 });
    const first = simulator.control.issueToken(simulator.demo.accountId);
    const second = `${first}-second`;
    tokens.add(expired);
    tokens.add(first);
    tokens.add(second);
    expect(tokens.current()).toBe(first);
    tokens.refuse(first);
    expect(tokens.current()).toBe(second);
    tokens.remove(second);
    expect(tokens.current()).toBeUndefined();
  });

  it('keeps a token while any subscriber still uses it', () => {
    const tokens = new SubscriberTokens();
    tokens.add('shared');
    tokens.add('shared');
    tokens.remove('shared');
    expect(tokens.current()).toBe('shared');
    tokens.remove('shared');
    expect(tokens.current()).toBeUndefined();
  });
});

describe('PollCredentials', () => {
  it('prefers the service credential, and stops using it for an account it may not read', async () => {
    const service = new ServiceCredential(client, { apiKey: simulator.demo.apiKey }, silent);
    const subscribers = new SubscriberTokens();
    subscribers.add('subscriber-token');
    const refusals: string[] = [];
    const credentials = new PollCredentials(service, subscribers, (token, code) => refusals.push(`${token}:${code}`));

    const first = await credentials.pick();
    expect(first?.source).toBe('service');
    credentials.refused(first!, 'FORBIDDEN');
    expect(await credentials.pick()).toEqual({ token: 'subscriber-token', source: 'subscriber' });
    expect(refusals).toEqual([]);
  });

  it("reports a refused subscriber token, so that subscriber's subscriptions end", async () => {
    const subscribers = new SubscriberTokens();
    subscribers.add('first');
    subscribers.add('second');
    const refusals: string[] = [];
    const credentials = new PollCredentials(undefined, subscribers, (token, code) => refusals.push(`${token}:${code}`));
    credentials.refused((await credentials.pick())!, 'UNAUTHENTICATED');
    expect(refusals).toEqual(['first:UNAUTHENTICATED']);
    expect(await credentials.pick()).toEqual({ token: 'second', source: 'subscriber' });
  });
});

describe('ServiceCredential', () => {
  it('logs in once, and again when most of the token lifetime has passed', async () => {
    let now = Date.now();
    const service = new ServiceCredential(client, { apiKey: simulator.demo.apiKey }, silent, () => now);
    const before = logins('/v2/api_auth');
    const token = await service.token();
    expect(await service.token()).toBe(token);
    expect(logins('/v2/api_auth')).toBe(before + 1);

    now += 81_000; // of the simulator's 100 s tokens
    await service.token();
    expect(logins('/v2/api_auth')).toBe(before + 2);
  });

  it('logs in again when Kazoo refuses its token', async () => {
    const service = new ServiceCredential(
      client,
      { username: simulator.demo.username, password: simulator.demo.password, accountName: simulator.demo.accountName },
      silent,
    );
    const before = logins('/v2/user_auth');
    service.refused(await service.token());
    await service.token();
    expect(logins('/v2/user_auth')).toBe(before + 2);
  });

  it('does not retry a failed login on every poll', async () => {
    const service = new ServiceCredential(client, { apiKey: 'not-a-valid-api-key' }, silent);
    const before = logins('/v2/api_auth');
    await expect(service.token()).rejects.toSatisfy(isKazooError);
    await expect(service.token()).rejects.toSatisfy(isKazooError);
    expect(logins('/v2/api_auth')).toBe(before + 1);
  });
});

describe('polling with the service credential', () => {
  it("polls with the gateway's own login, never with the subscribers' tokens", async () => {
    const { accountId, username, password, accountName } = simulator.demo;
    const live = new LiveData(client, silent, { pollMs: POLL_MS, serviceLogin: { username, password, accountName } });
    const [deviceId] = simulator.control.registeredDeviceIds(accountId).sort() as [string];
    try {
      // Kazoo refuses this subscriber's token: the initial state only comes if someone else polls.
      const seen = collect(
        live.registrations({
          accountId,
          subjectIds: new Set([deviceId]),
          initial: true,
          session: { client, token: forgedToken() },
          expiresAt: undefined,
          onOverflow: () => undefined,
        }),
      );
      await waitFor(() => seen.events.length === 1, 'the initial state');
      expect(seen.errors).toEqual([]);
      expect(seen.events[0]).toMatchObject({ deviceId, registered: true });
    } finally {
      await live.close();
    }
  });
});

describe('polling with subscribers’ tokens', () => {
  it('switches to the next subscriber when Kazoo refuses the token in use, ending the refused subscription', async () => {
    const live = new LiveData(client, silent, { pollMs: POLL_MS });
    const { accountId } = simulator.demo;
    const [deviceId] = simulator.control.registeredDeviceIds(accountId).sort() as [string];
    const subscribe = (token: string): Seen =>
      collect(
        live.registrations({
          accountId,
          subjectIds: new Set([deviceId]),
          initial: true,
          session: { client, token },
          expiresAt: undefined,
          onOverflow: () => undefined,
        }),
      );
    try {
      const refused = subscribe(forgedToken());
      const accepted = subscribe(simulator.control.issueToken(accountId));
      await waitFor(() => accepted.events.length === 1, 'the initial state');
      expect(refused.errors).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED' })]);

      simulator.control.unregister(accountId, deviceId);
      await waitFor(() => accepted.events.length === 2, 'the change');
      expect(accepted.events[1]).toMatchObject({ deviceId, registered: false });
      expect(live.stats()).toMatchObject({ accounts: 1, subscribers: 1 });
    } finally {
      await live.close();
      simulator.control.register(accountId, deviceId);
    }
  });
});
