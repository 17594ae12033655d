// What the client cache suites arrange in the simulator through the gateway (never through the cache under test), and
// the documents they share: the frontend trial's collisions (two phones on one provisioner template, one hotdesk id
// in two accounts), a device detail with rich embedded objects, and a device that can be made to register.
import { expect } from 'vitest';
import type { Harness } from '../helpers/harness.js';

export const TEMPLATE_ID = 'tmpl-office';
export const HOTDESK_ID = '1001';

/** What each phone of the template collision is given, and must read back as its own. */
export const PHONE_PROVISIONS = [
  { endpointModel: 'vvx450', comboKeys: [{ index: 1, type: 'LINE', value: '1', label: 'Hiro' }] },
  { endpointModel: 't46s', comboKeys: [{ index: 2, type: 'PRESENCE', value: '2001', label: 'Reception' }] },
] as const;

export interface SharedIds {
  /** A token of the second account (acme). */
  acmeToken: string;
  /** Global ids of two demo phones with the same provisioner template id. */
  phones: [string, string];
  /** Global ids of a demo user and an acme user with the same hotdesk id; only acme's requires a PIN. */
  demoUser: string;
  acmeUser: string;
}

interface Listed {
  id: string;
  kazooId: string;
}

/** Runs an operation through the gateway and fails the test on any error. */
async function arrange<T>(harness: Harness, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const result = await harness.graphql<T>(query, variables, token === undefined ? {} : { token });
  expect(result.errors).toBeUndefined();
  if (result.data == null) throw new Error(`no data for ${query}`);
  return result.data;
}

async function firstUser(harness: Harness, token: string): Promise<Listed> {
  const data = await arrange<{ users: { nodes: Listed[] } }>(harness, '{ users(first: 1) { nodes { id kazooId } } }', {}, token);
  const user = data.users.nodes[0];
  if (user === undefined) throw new Error('the account has no user');
  return user;
}

async function setHotdesk(harness: Harness, token: string, id: string, requirePin: boolean): Promise<void> {
  await arrange(
    harness,
    `mutation($id: ID!, $requirePin: Boolean!) {
      updateUser(id: $id, input: { hotdesk: { enabled: true, hotdeskId: "${HOTDESK_ID}", requirePin: $requirePin } }) { userErrors { message } }
    }`,
    { id, requirePin },
    token,
  );
}

export async function arrangeSharedIds(harness: Harness): Promise<SharedIds> {
  const acmeToken = harness.simulator.control.issueToken(harness.simulator.control.secondary.accountId);
  const devices = await arrange<{ devices: { nodes: Listed[] } }>(harness, '{ devices(first: 2) { nodes { id kazooId } } }');
  const phones = devices.devices.nodes.map((device) => device.id);
  if (phones.length !== 2) throw new Error('the demo account needs two devices');
  for (const [index, provision] of PHONE_PROVISIONS.entries()) {
    await arrange(
      harness,
      `mutation($id: ID!, $provision: ProvisionInput!) { updateDevice(id: $id, input: { provision: $provision }) { userErrors { message } } }`,
      { id: phones[index], provision: { templateId: TEMPLATE_ID, ...provision } },
    );
  }
  const demoUser = await firstUser(harness, harness.token);
  const acmeUser = await firstUser(harness, acmeToken);
  await setHotdesk(harness, harness.token, demoUser.id, false);
  await setHotdesk(harness, acmeToken, acmeUser.id, true);
  return { acmeToken, phones: phones as [string, string], demoUser: demoUser.id, acmeUser: acmeUser.id };
}

export const PROVISIONING = /* GraphQL */ `
  query Provisioning($a: ID!, $b: ID!) {
    a: device(id: $a) { id name provision { templateId endpointModel comboKeys { index type value label } } }
    b: device(id: $b) { id name provision { templateId endpointModel comboKeys { index type value label } } }
  }
`;

export const USER_HOTDESK = /* GraphQL */ `
  query UserHotdesk($id: ID!) { user(id: $id) { id fullName hotdesk { hotdeskId enabled requirePin } } }
`;

export interface ProvisioningData {
  a: { provision: { templateId: string; endpointModel: string; comboKeys: unknown[] } };
  b: { provision: { templateId: string; endpointModel: string; comboKeys: unknown[] } };
}

export interface UserHotdeskData {
  user: { id: string; hotdesk: { hotdeskId: string; enabled: boolean; requirePin: boolean } };
}

/** A detail screen's read: several embedded objects, fully selected. */
export const DEVICE_DETAIL = /* GraphQL */ `
  query DeviceDetail($id: ID!) {
    device(id: $id) {
      id
      name
      sip { username password realm method inviteFormat expireSeconds }
      callerId { internal { name number } external { name number } }
      media { audio { codecs } encryption { enforceSecurity methods } }
    }
  }
`;

/** A rename that selects a subset of the embedded objects the detail has (frontend trial F11). */
export const RENAME_DEVICE = /* GraphQL */ `
  mutation RenameDevice($id: ID!, $name: String!) {
    updateDevice(id: $id, input: { name: $name }) {
      device { id name sip { username } callerId { internal { name } } }
      userErrors { field code message }
    }
  }
`;

export interface DeviceDetailData {
  device: { id: string; name: string; sip: { username: string | null; realm: string | null; password: string | null } };
}

/** The account's devices, each with its registration by `id` (and no other way to find it). */
export const DEVICE_TABLE = /* GraphQL */ `
  query DeviceTable {
    viewer {
      account {
        id
        devices(first: 100) {
          edges { cursor node { id kazooId name enabled registration { id registered userAgent } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

export interface TableRow {
  id: string;
  kazooId: string;
  enabled: boolean;
  registration: { id: string; registered: boolean; userAgent: string | null } | null;
}

export interface DeviceTableData {
  viewer: { account: { devices: { edges: { node: TableRow }[] } } };
}

export const tableRows = (data: DeviceTableData | null | undefined): TableRow[] =>
  data?.viewer.account.devices.edges.map((edge) => edge.node) ?? [];

/** The account's registrations, read on their own: the same Registration objects as the devices'. */
export const REGISTRATIONS = /* GraphQL */ `
  query Registrations { viewer { account { id registrations { id registered userAgent } } } }
`;

/** Makes one unregistered device of the table register, and gives its row. */
export function registerOne(harness: Harness, rows: readonly TableRow[], userAgent: string): TableRow {
  for (const row of rows) {
    if (!row.enabled || row.registration?.registered !== false) continue;
    try {
      harness.simulator.control.register(harness.accountId, row.kazooId, { userAgent });
      return row;
    } catch {
      // An IP-authenticated device, or one without SIP credentials, cannot register: try the next.
    }
  }
  throw new Error('no device of the table can register');
}
