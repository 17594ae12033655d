// The SIP registrar model (ecallmgr's registrar cache): devices register, refresh, lapse and get flushed.
// Crossbar only reads it through reg_query, so both /devices/status and /registrations come from here.
import { createHash } from 'node:crypto';
import { gregorianSeconds } from './clock.js';
import { getPath, isJsonObject, type JsonObject } from './json.js';
import { pick, randomHex, type Random } from './random.js';
import type { AccountRecord, StoredDoc, Store } from './store.js';
import { EXPIRES_DEVIATION_SECONDS } from './kazoo-events.js';

/**
 * What the SIP side does as registrations change, for the AMQP events (kazoo-events.ts): a REGISTER accepted (new
 * contact, refresh, or unregister), and ecallmgr's own expiry `Expires + 180 s` after a phone went silent.
 */
export type RegistrarEvent =
  | { kind: 'new' | 'refresh' | 'unregister'; registration: Registration; at: number }
  | { kind: 'expired'; registration: Registration; at: number };

export interface RegistrationDetails {
  userAgent?: string;
  contactIp?: string;
  contactPort?: number;
  expiresSeconds?: number;
  /** Whether the phone keeps re-registering before expiry (default true); false lets it lapse. */
  refresh?: boolean;
}

export interface ChurnSettings {
  intervalMs: number;
  fraction: number;
}

export interface Registration {
  accountId: string;
  deviceId: string;
  ownerId: string | undefined;
  username: string;
  realm: string;
  userAgent: string;
  contactIp: string;
  contactPort: number;
  networkIp: string;
  networkPort: number;
  proxyIp: string;
  callId: string;
  expiresSeconds: number;
  refresh: boolean;
  firstRegisteredAt: number;
  refreshedAt: number;
  suppressUnregisterNotify: boolean;
}

const DEFAULT_EXPIRES_SECONDS = 300;

const DESK_PHONE_AGENTS: Record<string, readonly string[]> = {
  polycom: ['PolycomVVX-VVX_450-UA/6.3.1.8427', 'PolycomVVX-VVX_411-UA/6.1.0.6189', 'PolycomSoundPointIP-SPIP_335-UA/4.0.15.1009'],
  yealink: ['Yealink SIP-T46S 66.86.0.15', 'Yealink SIP-T54W 96.85.0.5', 'Yealink SIP-T31G 124.85.257.55'],
  cisco: ['Cisco/SPA504G-7.6.2f', 'Cisco-CP8841-3PCC/11.3.7'],
  grandstream: ['Grandstream GXP2170 1.0.11.3', 'Grandstream HT801 1.0.27.2'],
};
const SOFTPHONE_AGENTS = ['Zoiper rv2.10.18.2', 'Bria 6 release 6.5.3 stamp 107741', 'Linphone/4.4.1 (belle-sip/4.4.0)', 'MicroSIP/3.21.3'];

/** Whether Kazoo would accept a REGISTER for this device: enabled, password auth, with SIP credentials. */
export function canRegister(device: StoredDoc): boolean {
  const sip = device.sip;
  if (!isJsonObject(sip) || device.enabled === false) return false;
  if (sip.method !== undefined && sip.method !== 'password') return false;
  if (typeof sip.username !== 'string' || typeof sip.password !== 'string') return false;
  return !['cellphone', 'mobile', 'landline'].includes(String(device.device_type ?? 'sip_device'));
}

function stableBytes(seed: string): Buffer {
  return createHash('md5').update(seed).digest();
}

function userAgentFor(device: StoredDoc, random: Random): string {
  if (device.device_type === 'softphone') return pick(random, SOFTPHONE_AGENTS);
  const brand = String(getPath(device, 'provision.endpoint_brand') ?? '').toLowerCase();
  return pick(random, DESK_PHONE_AGENTS[brand] ?? DESK_PHONE_AGENTS.yealink ?? SOFTPHONE_AGENTS);
}

export class Registrar {
  private readonly registrations = new Map<string, Registration>();
  private churnTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(event: RegistrarEvent) => void>();
  /** Lapsed registrations whose ecallmgr expiry is still to come (the `deregister` notice), by when. */
  private readonly lapsed: { registration: Registration; dueAt: number }[] = [];

  constructor(
    private readonly store: Store,
    private readonly random: Random,
  ) {}

  register(account: AccountRecord, device: StoredDoc, details: RegistrationDetails = {}, now: number = Date.now()): void {
    const sip = isJsonObject(device.sip) ? device.sip : {};
    const username = typeof sip.username === 'string' ? sip.username : device._id;
    const bytes = stableBytes(device._id);
    const key = `${account.id}|${device._id}`;
    const previous = this.registrations.get(key);
    const registration: Registration = {
      accountId: account.id,
      deviceId: device._id,
      ownerId: typeof device.owner_id === 'string' ? device.owner_id : undefined,
      username,
      realm: typeof sip.realm === 'string' ? sip.realm : account.realm,
      userAgent: details.userAgent ?? previous?.userAgent ?? userAgentFor(device, this.random),
      contactIp: details.contactIp ?? `192.168.${(bytes[0] ?? 0) % 20 + 1}.${(bytes[1] ?? 0) % 200 + 20}`,
      contactPort: details.contactPort ?? (device.device_type === 'softphone' ? 50_000 + ((bytes[2] ?? 0) * 37) % 10_000 : 5060),
      networkIp: `203.0.113.${(bytes[3] ?? 0) % 250 + 2}`,
      networkPort: 1024 + (((bytes[4] ?? 0) << 8) + (bytes[5] ?? 0)) % 60_000,
      proxyIp: `10.26.0.${(bytes[6] ?? 0) % 4 + 10}`,
      callId: `${randomHex(this.random, 24)}@192.168.${(bytes[0] ?? 0) % 20 + 1}.${(bytes[1] ?? 0) % 200 + 20}`,
      expiresSeconds: details.expiresSeconds ?? numberOr(sip.expire_seconds, DEFAULT_EXPIRES_SECONDS),
      refresh: details.refresh ?? true,
      firstRegisteredAt: now,
      refreshedAt: now,
      suppressUnregisterNotify: device.suppress_unregister_notifications === true,
    };
    // The same contact again: Kamailio's save() updates it (First-Registration false).
    const sameContact = previous !== undefined && previous.contactIp === registration.contactIp && previous.contactPort === registration.contactPort;
    if (sameContact) {
      registration.callId = previous.callId;
      registration.firstRegisteredAt = previous.firstRegisteredAt;
    }
    this.registrations.set(key, registration);
    this.emit({ kind: sameContact ? 'refresh' : 'new', registration, at: now });
  }

  unregister(accountId: string, deviceId: string, now: number = Date.now()): boolean {
    const key = `${accountId}|${deviceId}`;
    const registration = this.registrations.get(key);
    if (registration === undefined) return false;
    this.registrations.delete(key);
    this.emit({ kind: 'unregister', registration, at: now });
    return true;
  }

  /** Hears every registrar event until the returned function is called. */
  onEvent(listener: (event: RegistrarEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Moves time on for every registration: phones refresh (a `reg_success` each), silent ones lapse (nothing), and
   * lapsed ones reach ecallmgr's expiry (a `deregister` notice). Reads do this lazily; a timer calls it so events
   * come when they happen.
   */
  sweep(now: number = Date.now()): void {
    for (const [key, registration] of this.registrations) {
      this.advance(registration, now);
      if (this.isLapsed(registration, now)) this.lapse(key, registration);
    }
    for (let index = this.lapsed.length - 1; index >= 0; index--) {
      const entry = this.lapsed[index];
      if (entry === undefined || entry.dueAt > now) continue;
      this.lapsed.splice(index, 1);
      this.emit({ kind: 'expired', registration: entry.registration, at: now });
    }
  }

  private emit(event: RegistrarEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private lapse(key: string, registration: Registration): void {
    this.registrations.delete(key);
    if (this.listeners.size === 0) return;
    const expiresMs = registration.expiresSeconds * 1000;
    this.lapsed.push({ registration, dueAt: registration.refreshedAt + expiresMs + EXPIRES_DEVIATION_SECONDS * 1000 });
  }

  /** reg_flush for a realm (DELETE /registrations). */
  flushAccount(accountId: string): void {
    for (const [key, registration] of this.registrations) {
      if (registration.accountId === accountId) this.registrations.delete(key);
    }
  }

  /** reg_flush for one SIP username in the account realm (case-insensitive, like the sip_credentials view). */
  flushUsername(accountId: string, username: string): void {
    const wanted = username.toLowerCase();
    for (const [key, registration] of this.registrations) {
      if (registration.accountId === accountId && registration.username.toLowerCase() === wanted) {
        this.registrations.delete(key);
      }
    }
  }

  /** Current registrations in the account realm (what a reg_query for that realm returns). */
  active(accountId: string, now: number = Date.now()): Registration[] {
    const account = this.store.account(accountId);
    if (!account) return [];
    const out: Registration[] = [];
    for (const [key, registration] of this.registrations) {
      if (registration.accountId !== accountId) continue;
      this.advance(registration, now);
      if (this.isLapsed(registration, now)) {
        this.lapse(key, registration);
      } else if (registration.realm.toLowerCase() === account.realm.toLowerCase()) {
        out.push(registration);
      }
    }
    return out;
  }

  registeredDeviceIds(accountId: string, now: number = Date.now()): string[] {
    return [...new Set(this.active(accountId, now).map((registration) => registration.deviceId))];
  }

  /** One row of GET /registrations (cb_registrations normalize_registration/1 output). */
  toRow(registration: Registration, now: number = Date.now()): JsonObject {
    const account = this.store.account(registration.accountId);
    const contact = `sip:${registration.username}@${registration.contactIp}:${registration.contactPort};transport=udp`;
    const row: JsonObject = {
      account_name: account?.name ?? '',
      account_realm: account?.realm ?? registration.realm,
      authorizing_id: registration.deviceId,
      authorizing_type: 'device',
      call_id: registration.callId,
      contact: `<${contact};fs_path=<sip:${registration.proxyIp}:5060;lr;received='sip:${registration.networkIp}:${registration.networkPort};transport=udp'>>`,
      contact_ip: registration.contactIp,
      contact_port: registration.contactPort,
      event_timestamp: gregorianSeconds(registration.refreshedAt),
      expires: Math.max(0, registration.expiresSeconds - Math.floor((now - registration.refreshedAt) / 1000)),
      first_registration: registration.refreshedAt === registration.firstRegisteredAt,
      from_host: registration.realm,
      from_user: registration.username,
      network_ip: registration.networkIp,
      network_port: String(registration.networkPort),
      original_contact: contact,
      proxy_ip: registration.proxyIp,
      proxy_port: '5060',
      realm: registration.realm,
      registrar_node: 'ecallmgr@fs1.simulator.kazoo.test',
      source_ip: registration.networkIp,
      source_port: String(registration.networkPort),
      suppress_unregister_notify: registration.suppressUnregisterNotify,
      to_host: registration.realm,
      to_user: registration.username,
      user_agent: registration.userAgent,
      username: registration.username,
    };
    if (registration.ownerId !== undefined) row.owner_id = registration.ownerId;
    return row;
  }

  setChurn(churn: ChurnSettings | undefined): void {
    if (this.churnTimer) clearInterval(this.churnTimer);
    this.churnTimer = undefined;
    if (!churn) return;
    this.churnTimer = setInterval(() => this.churnTick(churn.fraction), churn.intervalMs);
    this.churnTimer.unref();
  }

  /** Flips about `fraction` of the registrable devices of every account: registered ones lapse, others register. */
  churnTick(fraction: number, now: number = Date.now()): void {
    for (const account of this.store.allAccounts()) {
      const registered = new Set(this.registeredDeviceIds(account.id, now));
      for (const device of this.store.docs(account.id, 'device')) {
        if (!canRegister(device) || this.random() >= fraction) continue;
        if (registered.has(device._id)) this.unregister(account.id, device._id, now);
        else this.register(account, device, {}, now);
      }
    }
  }

  stop(): void {
    this.setChurn(undefined);
  }

  private advance(registration: Registration, now: number): void {
    if (!registration.refresh) return;
    // phones re-register at half the granted expiry
    const periodMs = Math.max(1, Math.floor(registration.expiresSeconds / 2)) * 1000;
    const periods = Math.floor((now - registration.refreshedAt) / periodMs);
    // a re-REGISTER keeps its Call-ID (RFC 3261 10.2.4), only the timestamp moves
    if (periods > 0) {
      registration.refreshedAt += periods * periodMs;
      this.emit({ kind: 'refresh', registration, at: registration.refreshedAt });
    }
  }

  private isLapsed(registration: Registration, now: number): boolean {
    return now >= registration.refreshedAt + registration.expiresSeconds * 1000;
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

