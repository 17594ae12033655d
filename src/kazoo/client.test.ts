// The client against the Kazoo simulator: Kazoo's own text never reaches an error message, however it answers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../simulator/index.js';
import type { Simulator } from '../simulator/index.js';
import { KazooClient } from './client.js';
import type { KazooClientOptions } from './client.js';
import * as devices from './devices.js';

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

function newClient(options: Partial<KazooClientOptions> = {}): KazooClient {
  const client = new KazooClient({ baseUrl: simulator.url, timeoutMs: 5_000, ...options });
  clients.push(client);
  return client;
}

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
