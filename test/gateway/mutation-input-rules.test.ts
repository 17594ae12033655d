// What mutations refuse before anything reaches Kazoo: strings bound for SIP headers (a NOTIFY's Event, a quickcall's
// caller ID) outside their rules, control characters in any string or JSON value (with the NOTIFY body and the login
// password as the only exceptions), and JSON nested deeper than 32 levels. Each refusal is BAD_USER_INPUT naming the
// path the client wrote, and the simulator's request log shows nothing was sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossbar, errorCodes, startHarness } from '../helpers/harness.js';
import type { GraphQLResult, Harness } from '../helpers/harness.js';

let harness: Harness;
let deviceId: string;

beforeAll(async () => {
  harness = await startHarness();
  const created = await harness.graphql<{ createDevice: { id: string } }>(
    'mutation($a: ID!) { createDevice(accountId: $a, input: { name: "Rules", sip: { username: "rules01", password: "secret-pass" } }) { id } }',
    { a: harness.accountId },
  );
  deviceId = created.data?.createDevice.id ?? '';
});
afterAll(() => harness.close());

interface Refusal {
  codes: unknown[];
  fields: unknown[];
  sent: number;
}

/** Runs a mutation from a clean request log: its error codes, the fields its errors name, and how much reached Kazoo. */
async function outcome(run: () => Promise<GraphQLResult<unknown>>): Promise<Refusal> {
  harness.simulator.control.resetRequests();
  const result = await run();
  const fieldErrors = (result.errors ?? []).flatMap((error) => (error.extensions?.fieldErrors as { field: string }[] | undefined) ?? []);
  return { codes: errorCodes(result), fields: fieldErrors.map((fieldError) => fieldError.field), sent: harness.simulator.control.requests.length };
}

const refused = (...fields: string[]): Refusal => ({ codes: ['BAD_USER_INPUT'], fields, sent: 0 });

function notify(event: string, body?: { contentType: string; data: string }): Promise<Refusal> {
  return outcome(() =>
    harness.graphql('mutation($a: ID!, $id: ID!, $e: String!, $b: NotifyBodyInput) { notifyDevice(accountId: $a, id: $id, event: $e, body: $b) }', {
      a: harness.accountId,
      id: deviceId,
      e: event,
      b: body,
    }),
  );
}

function quickcall(callerId: { callerIdName?: string; callerIdNumber?: string }): Promise<Refusal> {
  return outcome(() =>
    harness.graphql(
      'mutation($a: ID!, $id: ID!, $name: String, $number: String) { quickcall(accountId: $a, deviceId: $id, number: "1000", callerIdName: $name, callerIdNumber: $number) { accepted } }',
      { a: harness.accountId, id: deviceId, name: callerId.callerIdName, number: callerId.callerIdNumber },
    ),
  );
}

function updateDevice(input: unknown): Promise<Refusal> {
  return outcome(() =>
    harness.graphql('mutation($a: ID!, $id: ID!, $input: DeviceInput!) { updateDevice(accountId: $a, id: $id, input: $input) { id } }', {
      a: harness.accountId,
      id: deviceId,
      input,
    }),
  );
}

describe("notifyDevice's event", () => {
  it.each([
    ['a CR/LF header injection', 'check-sync\r\nX-Evil: 1'],
    ['a NUL', 'check-sync\u0000'],
    ['100 000 characters', 'a'.repeat(100_000)],
    ['65 characters', 'a'.repeat(65)],
    ['nothing', ''],
    ['a space', 'check sync'],
    ['a colon', 'X-Evil: 1'],
    ['an empty parameter', 'check-sync;'],
  ])('is refused when it holds %s', async (_case, event) => {
    expect(await notify(event)).toEqual(refused('event'));
  });

  it.each(['check-sync', 'check-sync;reboot=true', 'message-summary', 'a'.repeat(64), "x.y!%*_+`'~-"])('%j is sent as the Event', async (event) => {
    const before = harness.simulator.control.notifications.length;
    expect(await notify(event)).toEqual({ codes: [], fields: [], sent: 1 });
    expect(harness.simulator.control.notifications.slice(before).map((sent) => JSON.stringify(sent.detail))).toEqual([expect.stringContaining(JSON.stringify(event))]);
  });

  it('body text may span lines, with tabs, but never holds a NUL', async () => {
    const data = 'Messages-Waiting: yes\r\nVoice-Message:\t2/8 (0/2)\n';
    const before = harness.simulator.control.notifications.length;
    expect(await notify('message-summary', { contentType: 'application/simple-message-summary', data })).toEqual({ codes: [], fields: [], sent: 1 });
    expect(JSON.stringify(harness.simulator.control.notifications.slice(before)[0]?.detail)).toContain(JSON.stringify(data).slice(1, -1));
    expect(await notify('message-summary', { contentType: 'text/plain', data: 'a\u0000b' })).toEqual(refused('body.data'));
    expect(await notify('message-summary', { contentType: 'text/plain\r\nX-Evil: 1', data: 'a' })).toEqual(refused('body.contentType'));
  });
});

describe("quickcall's caller ID", () => {
  it.each([
    ['a CR/LF', { callerIdName: 'Bank\r\nX-Evil: 1' }, 'callerIdName'],
    ['a NUL', { callerIdName: 'Bank\u0000' }, 'callerIdName'],
    ['36 characters', { callerIdName: 'n'.repeat(36) }, 'callerIdName'],
    ['nothing', { callerIdName: '' }, 'callerIdName'],
    ['a right-to-left override', { callerIdName: '\u202eknaB' }, 'callerIdName'],
    ['a line separator', { callerIdName: 'Bank\u2028Support' }, 'callerIdName'],
    ['a CR/LF', { callerIdNumber: '1000\r\nX-Evil: 1' }, 'callerIdNumber'],
    ['a space', { callerIdNumber: '+1 415 555 0100' }, 'callerIdNumber'],
    ['a path', { callerIdNumber: '../1000' }, 'callerIdNumber'],
    ['36 digits', { callerIdNumber: '1'.repeat(36) }, 'callerIdNumber'],
    ['nothing', { callerIdNumber: '' }, 'callerIdNumber'],
  ])('is refused when it holds %s (%j)', async (_case, callerId, argument) => {
    const before = harness.simulator.control.notifications.length;
    expect(await quickcall(callerId)).toEqual(refused(argument));
    expect(harness.simulator.control.notifications.slice(before)).toEqual([]);
  });

  it('may be any 35 printable characters and any dialable number of up to 35', async () => {
    const callerIdName = 'Réception & Support ☎ — Zürich 東京'.padEnd(35, '.');
    const callerIdNumber = `+${'1'.repeat(32)}*#`;
    const before = harness.simulator.control.notifications.length;
    expect(await quickcall({ callerIdName, callerIdNumber })).toEqual({ codes: [], fields: [], sent: 2 });
    expect(harness.simulator.control.notifications.slice(before)[0]?.detail).toMatchObject({ cid_name: callerIdName, cid_number: callerIdNumber });
  });
});

describe('control characters in mutation inputs', () => {
  it.each([
    ['a nested input field', { callerId: { internal: { name: 'Front\r\nDesk' } } }, 'input.callerId.internal.name'],
    ['a custom SIP header', { sip: { customSipHeaders: { in: [{ name: 'X-Site', value: 'HQ\r\nX-Evil: 1' }] } } }, 'input.sip.customSipHeaders.in.0.value'],
    ['an element of a list', { flags: ['fine', 'bad\u0000'] }, 'input.flags.1'],
    ['an ID input field', { ownerId: '0123456789abcdef\n0123456789abcdef' }, 'input.ownerId'],
    ['a DEL', { name: 'Desk\u007f' }, 'input.name'],
    ['a C1 next-line', { name: 'Desk\u0085' }, 'input.name'],
    ['a string inside extra', { extra: { sip: { custom_sip_headers: { 'X-Site': 'HQ\r\nX-Evil: 1' } } } }, 'input.extra.sip.custom_sip_headers.X-Site'],
    ['a key inside extra', { extra: { sip: { custom_sip_headers: { 'X-Site\r\nX-Evil': '1' } } } }, 'input.extra.sip.custom_sip_headers'],
    ['a string in a list inside another JSON field', { metaflows: { numbers: { '1': { data: ['ok', 'x\u0000'] } } } }, 'input.metaflows.numbers.1.data.1'],
  ])('are refused in %s, naming its path', async (_case, input, path) => {
    expect(await updateDevice(input)).toEqual(refused(path));
  });

  it('are reported for every field that holds one, in one answer', async () => {
    expect(await updateDevice({ name: 'a\nb', language: 'en\r', extra: { note: '\u0000', more: { a: ['\n', 'ok', '\r'] } } })).toEqual(
      refused('input.name', 'input.language', 'input.extra.note', 'input.extra.more.a.0', 'input.extra.more.a.2'),
    );
  });

  it('are refused in user inputs and in the arguments of logins', async () => {
    const userInput = await outcome(() =>
      harness.graphql('mutation($a: ID!) { createUser(accountId: $a, input: { firstName: "Ada", lastName: "Love\\r\\nlace", profile: { nicknames: ["ok", "\\u0000"] } }) { id } }', {
        a: harness.accountId,
      }),
    );
    expect(userInput).toEqual(refused('input.lastName', 'input.profile.nicknames.1'));
    const login = await outcome(() =>
      harness.graphql('mutation { loginWithCredentials(username: "admin\\u0000", password: "kazoo-demo", accountName: "demo\\n") { token } }', {}, { token: null }),
    );
    expect(login).toEqual(refused('username', 'accountName'));
  });

  it('are accepted in the login password, which Kazoo only ever sees hashed', async () => {
    const password = 'line\r\nbreak\u0000and-nul';
    const created = await crossbar<{ id: string }>(harness, 'PUT', `/accounts/${harness.accountId}/users`, {
      first_name: 'Odd',
      last_name: 'Password',
      username: 'odd.password',
      password,
    });
    expect(created.status).toBe(201);
    const login = await harness.graphql<{ loginWithCredentials: { ownerId: string } }>(
      'mutation($p: String!) { loginWithCredentials(username: "odd.password", password: $p, accountName: "demo") { ownerId } }',
      { p: password },
      { token: null },
    );
    expect(login.errors).toBeUndefined();
    expect(login.data?.loginWithCredentials.ownerId).toBe(created.body.data.id);
  });
});

describe('deep JSON in mutation inputs', () => {
  /** `{"a":{"a":…1…}}`, `levels` objects deep, written as text: JSON.stringify itself overflows on 100 000 levels. */
  const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  async function send(mutation: string, extra: string): Promise<Refusal> {
    const query = `mutation($a: ID!, $id: ID!, $input: DeviceInput!) { ${mutation}(accountId: $a, ${mutation === 'createDevice' ? '' : 'id: $id, '}input: $input) { id } }`;
    const variables = `{"a":"${harness.accountId}",${mutation === 'createDevice' ? '' : `"id":"${deviceId}",`}"input":{"name":"Deep","extra":${extra}}}`;
    const declared = mutation === 'createDevice' ? query.replace(', $id: ID!', '') : query;
    return outcome(async () => {
      const response = await fetch(`${harness.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': harness.token },
        body: `{"query":${JSON.stringify(declared)},"variables":${variables}}`,
      });
      return { status: response.status, ...((await response.json()) as object) };
    });
  }

  it.each(['createDevice', 'replaceDevice', 'updateDevice'])('100 000 levels in %s extra are BAD_USER_INPUT naming input.extra, and nothing is sent', async (mutation) => {
    expect(await send(mutation, nested(100_000))).toEqual(refused('input.extra'));
  });

  it('33 levels are refused, 32 are written', async () => {
    expect(await send('updateDevice', nested(33))).toEqual(refused('input.extra'));
    expect(await send('updateDevice', nested(32))).toEqual({ codes: [], fields: [], sent: 1 });
  });

  it('the bound holds for every JSON input, wherever the variable that carries it sits', async () => {
    let deep: unknown = 1;
    for (let level = 0; level < 40; level++) deep = [deep];
    const refusal = await outcome(() =>
      harness.graphql('mutation($a: ID!, $id: ID!, $j: JSON) { updateDevice(accountId: $a, id: $id, input: { metaflows: { patterns: $j } }) { id } }', {
        a: harness.accountId,
        id: deviceId,
        j: deep,
      }),
    );
    expect(refusal).toEqual(refused('input.metaflows.patterns'));
  });

  it('never looks like a Kazoo failure: after many, the gateway is ready and answers', async () => {
    for (let attempt = 0; attempt < 12; attempt++) expect((await send('updateDevice', nested(100_000))).codes).toEqual(['BAD_USER_INPUT']);
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
    expect((await harness.graphql('{ viewer { accountId } }')).errors).toBeUndefined();
  });
});
