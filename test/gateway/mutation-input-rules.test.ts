// What mutations refuse before anything reaches Kazoo: strings bound for SIP headers (a NOTIFY's Event, a quickcall's
// caller ID) outside their rules, control characters in any string or JSON value (with the NOTIFY body and the login
// password as the only exceptions), and JSON nested deeper than 32 levels. Each refusal is a userError of the
// mutation's payload, with a code and the path the client wrote as a list, and the simulator's request log shows
// nothing was sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossbar, errorCodes, startHarness } from '../helpers/harness.js';
import type { GraphQLResult, Harness } from '../helpers/harness.js';

let harness: Harness;
let deviceId: string;

beforeAll(async () => {
  harness = await startHarness();
  const created = await harness.graphql<{ createDevice: { device: { kazooId: string } } }>(
    'mutation($a: ID!) { createDevice(accountId: $a, input: { name: "Rules", sip: { username: "rules01", password: "secret-pass" } }) { device { kazooId } } }',
    { a: harness.accountId },
  );
  deviceId = created.data?.createDevice.device.kazooId ?? '';
});
afterAll(() => harness.close());

interface Refusal {
  /** Top-level error codes. */
  codes: unknown[];
  /** The payload's userErrors, without their messages. */
  userErrors: { field: string[] | null; code: string }[];
  sent: number;
}

const USER_ERRORS = 'userErrors { field code }';

/** Runs a mutation from a clean request log: its top-level error codes, its userErrors, and how much reached Kazoo. */
async function outcome(run: () => Promise<GraphQLResult<Record<string, { userErrors?: Refusal['userErrors'] } | null>>>): Promise<Refusal> {
  harness.simulator.control.resetRequests();
  const result = await run();
  const userErrors = Object.values(result.data ?? {}).flatMap((payload) => payload?.userErrors ?? []);
  return { codes: errorCodes(result), userErrors, sent: harness.simulator.control.requests.length };
}

/** Refused by the gateway with `code` on each of `fields` (dotted paths the client wrote), and nothing sent. */
const refused = (code: string, ...fields: string[]): Refusal => ({
  codes: [],
  userErrors: fields.map((field) => ({ field: field.split('.'), code })),
  sent: 0,
});
const accepted = (sent: number): Refusal => ({ codes: [], userErrors: [], sent });

function notify(event: string, body?: { contentType: string; data: string }): Promise<Refusal> {
  return outcome(() =>
    harness.graphql(`mutation($a: ID!, $id: ID!, $e: String!, $b: NotifyBodyInput) { notifyDevice(accountId: $a, id: $id, event: $e, body: $b) { ${USER_ERRORS} } }`, {
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
      `mutation($a: ID!, $id: ID!, $name: String, $number: String) { quickcallDevice(accountId: $a, id: $id, number: "1000", callerIdName: $name, callerIdNumber: $number) { ${USER_ERRORS} } }`,
      { a: harness.accountId, id: deviceId, name: callerId.callerIdName, number: callerId.callerIdNumber },
    ),
  );
}

function updateDevice(input: unknown): Promise<Refusal> {
  return outcome(() =>
    harness.graphql(`mutation($a: ID!, $id: ID!, $input: DeviceInput!) { updateDevice(accountId: $a, id: $id, input: $input) { ${USER_ERRORS} } }`, {
      a: harness.accountId,
      id: deviceId,
      input,
    }),
  );
}

describe("notifyDevice's event", () => {
  it.each([
    ['a CR/LF header injection', 'check-sync\r\nX-Evil: 1', 'CONTROL_CHARACTER'],
    ['a NUL', 'check-sync\u0000', 'CONTROL_CHARACTER'],
    ['100 000 characters', 'a'.repeat(100_000), 'INVALID_FORMAT'],
    ['65 characters', 'a'.repeat(65), 'INVALID_FORMAT'],
    ['nothing', '', 'INVALID_FORMAT'],
    ['a space', 'check sync', 'INVALID_FORMAT'],
    ['a colon', 'X-Evil: 1', 'INVALID_FORMAT'],
    ['an empty parameter', 'check-sync;', 'INVALID_FORMAT'],
  ])('is refused when it holds %s', async (_case, event, code) => {
    expect(await notify(event)).toEqual(refused(code, 'event'));
  });

  it.each(['check-sync', 'check-sync;reboot=true', 'message-summary', 'a'.repeat(64), "x.y!%*_+`'~-"])('%j is sent as the Event', async (event) => {
    const before = harness.simulator.control.notifications.length;
    expect(await notify(event)).toEqual(accepted(1));
    expect(harness.simulator.control.notifications.slice(before).map((sent) => JSON.stringify(sent.detail))).toEqual([expect.stringContaining(JSON.stringify(event))]);
  });

  it('body text may span lines, with tabs, but never holds a NUL', async () => {
    const data = 'Messages-Waiting: yes\r\nVoice-Message:\t2/8 (0/2)\n';
    const before = harness.simulator.control.notifications.length;
    expect(await notify('message-summary', { contentType: 'application/simple-message-summary', data })).toEqual(accepted(1));
    expect(JSON.stringify(harness.simulator.control.notifications.slice(before)[0]?.detail)).toContain(JSON.stringify(data).slice(1, -1));
    expect(await notify('message-summary', { contentType: 'text/plain', data: 'a\u0000b' })).toEqual(refused('CONTROL_CHARACTER', 'body.data'));
    expect(await notify('message-summary', { contentType: 'text/plain\r\nX-Evil: 1', data: 'a' })).toEqual(refused('CONTROL_CHARACTER', 'body.contentType'));
  });
});

describe("quickcall's caller ID", () => {
  it.each([
    ['a CR/LF', { callerIdName: 'Bank\r\nX-Evil: 1' }, 'callerIdName', 'CONTROL_CHARACTER'],
    ['a NUL', { callerIdName: 'Bank\u0000' }, 'callerIdName', 'CONTROL_CHARACTER'],
    ['36 characters', { callerIdName: 'n'.repeat(36) }, 'callerIdName', 'INVALID_FORMAT'],
    ['nothing', { callerIdName: '' }, 'callerIdName', 'INVALID_FORMAT'],
    ['a right-to-left override', { callerIdName: '\u202eknaB' }, 'callerIdName', 'INVALID_FORMAT'],
    ['a line separator', { callerIdName: 'Bank\u2028Support' }, 'callerIdName', 'INVALID_FORMAT'],
    ['a CR/LF', { callerIdNumber: '1000\r\nX-Evil: 1' }, 'callerIdNumber', 'CONTROL_CHARACTER'],
    ['a space', { callerIdNumber: '+1 415 555 0100' }, 'callerIdNumber', 'INVALID_FORMAT'],
    ['a path', { callerIdNumber: '../1000' }, 'callerIdNumber', 'INVALID_FORMAT'],
    ['36 digits', { callerIdNumber: '1'.repeat(36) }, 'callerIdNumber', 'INVALID_FORMAT'],
    ['nothing', { callerIdNumber: '' }, 'callerIdNumber', 'INVALID_FORMAT'],
  ])('is refused when it holds %s (%j)', async (_case, callerId, argument, code) => {
    const before = harness.simulator.control.notifications.length;
    expect(await quickcall(callerId)).toEqual(refused(code, argument));
    expect(harness.simulator.control.notifications.slice(before)).toEqual([]);
  });

  it('may be any 35 printable characters and any dialable number of up to 35', async () => {
    const callerIdName = 'Réception & Support ☎ — Zürich 東京'.padEnd(35, '.');
    const callerIdNumber = `+${'1'.repeat(32)}*#`;
    const before = harness.simulator.control.notifications.length;
    expect(await quickcall({ callerIdName, callerIdNumber })).toEqual(accepted(2));
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
    expect(await updateDevice(input)).toEqual(refused('CONTROL_CHARACTER', path));
  });

  it('are reported for every field that holds one, in one answer', async () => {
    expect(await updateDevice({ name: 'a\nb', presenceId: 'en\r', extra: { note: '\u0000', more: { a: ['\n', 'ok', '\r'] } } })).toEqual(
      refused('CONTROL_CHARACTER', 'input.name', 'input.presenceId', 'input.extra.note', 'input.extra.more.a.0', 'input.extra.more.a.2'),
    );
  });

  it('inside a JSON key that holds a dot are named by that key whole', async () => {
    const refusal = await updateDevice({ extra: { 'custom.setting': { 'a.b': 'x\u0000' } } });
    expect(refusal).toEqual({ codes: [], userErrors: [{ field: ['input', 'extra', 'custom.setting', 'a.b'], code: 'CONTROL_CHARACTER' }], sent: 0 });
  });

  it('are refused in user inputs and in the arguments of logins', async () => {
    const userInput = await outcome(() =>
      harness.graphql(`mutation($a: ID!) { createUser(accountId: $a, input: { firstName: "Ada", lastName: "Love\\r\\nlace", profile: { nicknames: ["ok", "\\u0000"] } }) { ${USER_ERRORS} } }`, {
        a: harness.accountId,
      }),
    );
    expect(userInput).toEqual(refused('CONTROL_CHARACTER', 'input.lastName', 'input.profile.nicknames.1'));
    const login = await outcome(() =>
      harness.graphql(`mutation { loginWithCredentials(username: "admin\\u0000", password: "kazoo-demo", accountName: "demo\\n") { ${USER_ERRORS} } }`, {}, { token: null }),
    );
    expect(login).toEqual(refused('CONTROL_CHARACTER', 'username', 'accountName'));
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
    const login = await harness.graphql<{ loginWithCredentials: { accessToken: { ownerId: string }; userErrors: unknown[] } }>(
      `mutation($p: String!) { loginWithCredentials(username: "odd.password", password: $p, accountName: "demo") { accessToken { ownerId } ${USER_ERRORS} } }`,
      { p: password },
      { token: null },
    );
    expect(login.errors).toBeUndefined();
    expect(login.data?.loginWithCredentials).toEqual({ accessToken: { ownerId: created.body.data.id }, userErrors: [] });
  });
});

describe("a mutation input's extra", () => {
  it('that is not a JSON object is a WRONG_TYPE userError, and nothing is sent', async () => {
    for (const extra of [5, 'sip', [{ sip: {} }]]) expect(await updateDevice({ extra })).toEqual(refused('WRONG_TYPE', 'input.extra'));
  });
});

describe('deep JSON in mutation inputs', () => {
  /** `{"a":{"a":…1…}}`, `levels` objects deep, written as text: JSON.stringify itself overflows on 100 000 levels. */
  const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  async function send(mutation: string, extra: string): Promise<Refusal> {
    const query = `mutation($a: ID!, $id: ID!, $input: DeviceInput!) { ${mutation}(accountId: $a, ${mutation === 'createDevice' ? '' : 'id: $id, '}input: $input) { ${USER_ERRORS} } }`;
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

  it.each(['createDevice', 'replaceDevice', 'updateDevice'])('100 000 levels in %s extra are a TOO_DEEP userError on input.extra, and nothing is sent', async (mutation) => {
    expect(await send(mutation, nested(100_000))).toEqual(refused('TOO_DEEP', 'input.extra'));
  });

  it('33 levels are refused, 32 are written', async () => {
    expect(await send('updateDevice', nested(33))).toEqual(refused('TOO_DEEP', 'input.extra'));
    expect(await send('updateDevice', nested(32))).toEqual(accepted(1));
  });

  it('the bound holds for every JSON input, wherever the variable that carries it sits', async () => {
    let deep: unknown = 1;
    for (let level = 0; level < 40; level++) deep = [deep];
    const refusal = await outcome(() =>
      harness.graphql(`mutation($a: ID!, $id: ID!, $j: JSON) { updateDevice(accountId: $a, id: $id, input: { metaflows: { patterns: $j } }) { ${USER_ERRORS} } }`, {
        a: harness.accountId,
        id: deviceId,
        j: deep,
      }),
    );
    expect(refusal).toEqual(refused('TOO_DEEP', 'input.metaflows.patterns'));
  });

  it('never looks like a Kazoo failure: after many, the gateway is ready and answers', async () => {
    for (let attempt = 0; attempt < 12; attempt++) expect(await send('updateDevice', nested(100_000))).toEqual(refused('TOO_DEEP', 'input.extra'));
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
    expect((await harness.graphql('{ viewer { accountId } }')).errors).toBeUndefined();
  });
});
