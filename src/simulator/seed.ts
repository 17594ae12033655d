// Seed data: the demo account (the seed docs' MyPolycom, a cellphone, an IP-auth phone, a hotdesked phone ...),
// a second small account, and generated accounts of any size. Deterministic for a given PRNG.
import { gregorianSeconds } from './clock.js';
import type { SimulatorState } from './context.js';
import type { JsonObject } from './json.js';
import { pick, randomHex, randomInt, type Random } from './random.js';
import { canRegister } from './registrar.js';
import { passwordHashes } from './resources/users.js';
import { normalizeAccountName, type AccountRecord, type StoredDoc } from './store.js';
import type { AccountInfo } from './types.js';
import { validateAgainstSchema, type SchemaName } from './validation/index.js';

const FIRST_NAMES = ['Alice', 'Bruno', 'Chloe', 'Diego', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kara', 'Liam', 'Maya', 'Noah', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wes', 'Xena', 'Yusuf', 'Zoe'];
const LAST_NAMES = ['Anders', 'Baptiste', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jansen', 'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quintero', 'Rossi', 'Schmidt', 'Tanaka', 'Ueda', 'Varga', 'Weber', 'Yilmaz', 'Zhang'];
const TIMEZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/Paris', 'Europe/Berlin', 'Asia/Tokyo'];
const DESK_PHONES = [
  { brand: 'polycom', family: 'vvx', model: 'vvx_450', oui: '0004f2' },
  { brand: 'yealink', family: 't4x', model: 't46s', oui: '805ec0' },
  { brand: 'cisco', family: 'spa5xx', model: 'spa504g', oui: '0008a1' },
  { brand: 'grandstream', family: 'gxp21xx', model: 'gxp2170', oui: '000b82' },
];

interface SeedAccountOptions {
  name: string;
  users: number;
  devices: number;
  registeredRatio: number;
  username: string;
  password: string;
}

interface AccountSeeder {
  sim: SimulatorState;
  account: AccountRecord;
  random: Random;
  nowMs: number;
}

function withDefaults(schema: SchemaName, doc: JsonObject): JsonObject {
  const result = validateAgainstSchema(schema, doc);
  if (!result.valid) throw new Error(`seed ${schema} document is invalid: ${JSON.stringify(result.errors)}`);
  return result.value as JsonObject;
}

/** Creation times spread over the last 90 days so created_from/created_to filters have something to select. */
function createdAt(seeder: AccountSeeder): number {
  return seeder.nowMs - randomInt(seeder.random, 1, 90 * 24 * 3600) * 1000;
}

function addUser(seeder: AccountSeeder, body: JsonObject, password?: string): StoredDoc {
  const doc = withDefaults('users', body);
  const username = typeof doc.username === 'string' ? doc.username : undefined;
  const credentials = username && password ? passwordHashes(username, password) : undefined;
  return seeder.sim.store.insert(
    seeder.account.id,
    'user',
    randomHex(seeder.random, 32),
    { ...doc, ...(credentials ? { pvt_md5_auth: credentials.md5, pvt_sha1_auth: credentials.sha1 } : {}) },
    createdAt(seeder),
  );
}

/** Inserts a device as stored by Crossbar (schema defaults applied); the body is trusted, not run through §4.2. */
function addDevice(seeder: AccountSeeder, body: JsonObject): StoredDoc {
  return seeder.sim.store.insert(seeder.account.id, 'device', randomHex(seeder.random, 32), withDefaults('devices', body), createdAt(seeder));
}

function sipCredentials(seeder: AccountSeeder): JsonObject {
  return { username: `user_${randomHex(seeder.random, 6)}`, password: randomHex(seeder.random, 12), method: 'password', invite_format: 'contact', expire_seconds: 300 };
}

function deskPhone(seeder: AccountSeeder, name: string, ownerId: string | undefined): JsonObject {
  const model = pick(seeder.random, DESK_PHONES);
  return {
    name,
    device_type: 'sip_device',
    enabled: true,
    ...(ownerId ? { owner_id: ownerId } : {}),
    mac_address: `${model.oui}${randomHex(seeder.random, 6)}`,
    sip: sipCredentials(seeder),
    provision: { endpoint_brand: model.brand, endpoint_family: model.family, endpoint_model: model.model },
  };
}

function softphone(seeder: AccountSeeder, name: string, ownerId: string): JsonObject {
  return { name, device_type: 'softphone', enabled: true, owner_id: ownerId, sip: sipCredentials(seeder) };
}

function accountRealm(seeder: { sim: SimulatorState }, name: string): string {
  const base = normalizeAccountName(name) || 'account';
  let realm = `${base}.sip.kazoo.test`;
  for (let n = 2; seeder.sim.store.accountByRealm(realm); n += 1) realm = `${base}${n}.sip.kazoo.test`;
  return realm;
}

function createAccountRecord(sim: SimulatorState, random: Random, name: string): AccountRecord {
  const nowMs = Date.now();
  return sim.store.addAccount({
    id: randomHex(random, 32),
    name,
    realm: accountRealm({ sim }, name),
    timezone: 'America/New_York',
    language: 'en-us',
    apiKey: randomHex(random, 64),
    created: gregorianSeconds(nowMs) - 400 * 24 * 3600,
  });
}

function personName(random: Random, index: number): { first: string; last: string } {
  return {
    first: FIRST_NAMES[index % FIRST_NAMES.length] ?? pick(random, FIRST_NAMES),
    last: LAST_NAMES[(index * 7 + 3) % LAST_NAMES.length] ?? pick(random, LAST_NAMES),
  };
}

function seedUsers(seeder: AccountSeeder, options: SeedAccountOptions): { admin: StoredDoc; users: StoredDoc[] } {
  const admin = addUser(
    seeder,
    { first_name: 'Account', last_name: 'Admin', username: options.username, email: `${options.username}@${seeder.account.realm}`, priv_level: 'admin', timezone: 'America/New_York' },
    options.password,
  );
  const users: StoredDoc[] = [admin];
  const taken = new Set([options.username.toLowerCase()]);
  for (let i = 1; i < options.users; i += 1) {
    const { first, last } = personName(seeder.random, i - 1);
    let username = `${first}.${last}`.toLowerCase();
    for (let n = 2; taken.has(username); n += 1) username = `${first}.${last}${n}`.toLowerCase();
    taken.add(username);
    const extension = String(1000 + i);
    users.push(
      addUser(
        seeder,
        {
          first_name: first,
          last_name: last,
          username,
          email: `${username}@example.com`,
          ...(i % 3 === 0 ? { presence_id: extension } : {}),
          ...(i % 4 === 0 ? { timezone: pick(seeder.random, TIMEZONES) } : {}),
          ...(i % 9 === 0 ? { priv_level: 'admin' } : {}),
          caller_id: { internal: { name: `${first} ${last}`, number: extension } },
          ...(i % 5 === 0 ? { call_forward: { enabled: true, number: `+1415555${String(1000 + i).padStart(4, '0')}` } } : {}),
        },
        `secret-${randomHex(seeder.random, 8)}`,
      ),
    );
  }
  return { admin, users };
}

/** Devices spread over the users: desk phones, softphones, a few shared (unowned) phones. */
function seedDevices(seeder: AccountSeeder, users: readonly StoredDoc[], count: number): StoredDoc[] {
  const devices: StoredDoc[] = [];
  for (let i = 0; devices.length < count; i += 1) {
    const owner = users[i % users.length];
    const ownerName = owner ? `${String(owner.first_name)} ${String(owner.last_name)}` : 'Shared';
    const round = Math.floor(i / Math.max(1, users.length));
    if (i % 11 === 10) devices.push(addDevice(seeder, deskPhone(seeder, `Conference Room ${i}`, undefined)));
    else if (round % 2 === 0 || !owner) devices.push(addDevice(seeder, deskPhone(seeder, `${ownerName} Desk ${round + 1}`, owner?._id)));
    else devices.push(addDevice(seeder, softphone(seeder, `${ownerName} Softphone ${round}`, owner._id)));
  }
  return devices;
}

function registerSome(seeder: AccountSeeder, devices: readonly StoredDoc[], ratio: number): void {
  for (const device of devices) {
    if (seeder.random() < ratio && canRegister(device)) {
      seeder.sim.registrar.register(seeder.account, device);
    }
  }
}

function accountInfo(account: AccountRecord, admin: StoredDoc, options: SeedAccountOptions): AccountInfo {
  return {
    accountId: account.id,
    accountName: account.name,
    realm: account.realm,
    apiKey: account.apiKey,
    username: options.username,
    password: options.password,
    userId: admin._id,
  };
}

/** A generated account (control.createAccount): an admin user plus `users - 1` others and `devices` devices. */
export function seedGeneratedAccount(sim: SimulatorState, options: SeedAccountOptions): AccountInfo {
  const random = sim.random;
  const account = createAccountRecord(sim, random, options.name);
  const seeder: AccountSeeder = { sim, account, random, nowMs: Date.now() };
  const { admin, users } = seedUsers(seeder, { ...options, users: Math.max(1, options.users) });
  const devices = seedDevices(seeder, users, options.devices);
  registerSome(seeder, devices, options.registeredRatio);
  return accountInfo(account, admin, options);
}

/** The demo account of the README: about 25 users and 60 devices of every kind the gateway must handle. */
export function seedDemoAccount(sim: SimulatorState, options: { name: string; username: string; password: string }): AccountInfo {
  const random = sim.random;
  const account = createAccountRecord(sim, random, options.name);
  const seeder: AccountSeeder = { sim, account, random, nowMs: Date.now() };
  const seedOptions: SeedAccountOptions = { ...options, users: 25, devices: 54, registeredRatio: 0.5 };
  const { admin, users } = seedUsers(seeder, seedOptions);
  const devices = seedDevices(seeder, users, seedOptions.devices);
  const [, alice, bruno, chloe] = users;

  // doc/devices.md "Fetch" example: stored before MACs were cleansed, so it keeps its colons
  devices.push(
    addDevice(seeder, {
      name: 'MyPolycom',
      device_type: 'sip_device',
      enabled: false,
      mac_address: '00:04:f2:ab:7e:fd',
      sip: sipCredentials(seeder),
      provision: { endpoint_brand: 'polycom', endpoint_family: 'vvx', endpoint_model: 'vvx_450' },
    }),
  );
  if (alice) {
    devices.push(
      addDevice(seeder, {
        name: `${String(alice.first_name)}'s Cell`,
        device_type: 'cellphone',
        enabled: true,
        owner_id: alice._id,
        call_forward: { enabled: true, number: '+14155550123', require_keypress: true, keep_caller_id: true },
      }),
    );
  }
  devices.push(
    addDevice(seeder, {
      name: 'authn_by_ip',
      device_type: 'sip_device',
      enabled: true,
      sip: { method: 'ip', ip: '198.51.100.20', invite_format: 'e164' },
    }),
  );
  devices.push(
    addDevice(seeder, {
      name: 'Remote Office Phone',
      device_type: 'sip_device',
      enabled: true,
      ...(chloe ? { owner_id: chloe._id } : {}),
      sip: { ...sipCredentials(seeder), realm: 'remote.example.net' },
    }),
  );
  if (bruno && chloe) {
    // Bruno's desk phone, currently hotdesked by Chloe
    devices.push(
      addDevice(seeder, {
        ...deskPhone(seeder, `${String(bruno.first_name)} Hotdesk Phone`, bruno._id),
        hotdesk: { users: { [chloe._id]: {} } },
      }),
    );
  }
  devices.push(addDevice(seeder, { ...deskPhone(seeder, 'Lobby Phone', undefined), enabled: false }));
  registerSome(seeder, devices, seedOptions.registeredRatio);
  return accountInfo(account, admin, seedOptions);
}
