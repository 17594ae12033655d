// Kazoo 4.3's AMQP messages that tell what changed, read as Kazoo and Kamailio really send them
// (../shared/kazoo-events.md): where they are published, how their routing keys are built, and a parser per message
// that keeps what a consumer needs and refuses what is not one. Payloads are Title-Case JSON; Kamailio sends numbers
// and booleans where Kazoo's generated schema says strings, so every field is read by what it is, not what it claims.

/** The exchanges a consumer binds to: topic exchanges, declared by Kazoo non-durable and not auto-deleted. */
export const KAZOO_EXCHANGES = ['registrar', 'notifications', 'configuration'] as const;
export type KazooExchange = (typeof KAZOO_EXCHANGES)[number];

/** Seconds between year 0 and 1970: Kazoo's own timestamps are Gregorian, Kamailio's are Unix. */
const GREGORIAN_UNIX_OFFSET_SECONDS = 62_167_219_200;

/** `kz_amqp_util:encode/1`: one routing-key word from any string (`.` → `%2E`, space → `+`, other bytes `%XX`). */
export function encodeRoutingWord(value: string): string {
  if (value === '*' || value === '#') return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-~_]/.test(char)) out += char;
    else if (char === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `kz_util:format_account_db/1`, encoded as Crossbar writes it into `doc_*` routing keys. */
export function encodedAccountDb(accountId: string): string {
  return `account%2F${accountId.slice(0, 2)}%2F${accountId.slice(2, 4)}%2F${accountId.slice(4)}`;
}

/** Kamailio's `reg_success`: a REGISTER accepted (new, refresh, or an unregister with `Expires: 0`). */
export interface RegSuccess {
  accountId: string;
  /** The device: `Custom-Channel-Vars.Authorizing-ID`. */
  deviceId: string;
  ownerId: string | undefined;
  username: string;
  realm: string;
  /** False for an explicit unregister (`Expires: 0` or `Status: Unregistered`). */
  registered: boolean;
  firstRegistration: boolean;
  /** Granted expiry, seconds. */
  expiresSeconds: number;
  /** When Kamailio accepted it, ms since 1970 (`Event-Timestamp`, Unix seconds). */
  at: number;
  contact: string;
  callId: string | undefined;
  userAgent: string | undefined;
  sourceIp: string | undefined;
  sourcePort: string | undefined;
}

/** ecallmgr's `deregister` notification: a registration removed (explicitly, or about `Expires + 180 s` late). */
export interface DeregisterNotice {
  accountId: string;
  deviceId: string | undefined;
  username: string;
  realm: string;
}

export type DocumentAction = 'created' | 'edited' | 'deleted';

/** `kapi_conf` `doc_*`: a document written. It carries ids and the new revision, never the document. */
export interface DocumentNotice {
  action: DocumentAction;
  type: string;
  id: string;
  accountId: string | undefined;
  rev: string | undefined;
  softDeleted: boolean;
}

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numeric(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** A Kazoo timestamp in ms since 1970, whichever base it is in (no Unix timestamp reaches the Gregorian offset). */
export function kazooSecondsToMs(seconds: number): number {
  return (seconds > GREGORIAN_UNIX_OFFSET_SECONDS ? seconds - GREGORIAN_UNIX_OFFSET_SECONDS : seconds) * 1000;
}

/** A `reg_success` body; undefined when it is not one or names no device (FreeSWITCH-originated, without CCVs). */
export function parseRegSuccess(body: unknown): RegSuccess | undefined {
  if (!isFields(body) || body['Event-Name'] !== 'reg_success') return undefined;
  const ccvs = isFields(body['Custom-Channel-Vars']) ? body['Custom-Channel-Vars'] : {};
  // pusher_listener reads the CCVs first and falls back to the top level (kazoo-events.md §1.4).
  const accountId = text(ccvs['Account-ID']) ?? text(body['Account-ID']);
  const deviceId = text(ccvs['Authorizing-ID']) ?? text(body['Authorizing-ID']);
  const username = text(body['Username']);
  const realm = text(body['Realm']);
  const expiresSeconds = numeric(body['Expires']);
  const timestamp = numeric(body['Event-Timestamp']);
  const contact = text(body['Contact']);
  if (accountId === undefined || deviceId === undefined || username === undefined || realm === undefined) return undefined;
  if (expiresSeconds === undefined || timestamp === undefined || contact === undefined) return undefined;
  return {
    accountId,
    deviceId,
    ownerId: text(ccvs['Owner-ID']),
    username,
    realm,
    registered: expiresSeconds > 0 && body['Status'] !== 'Unregistered',
    firstRegistration: flag(body['First-Registration']) ?? false,
    expiresSeconds,
    at: kazooSecondsToMs(timestamp),
    contact,
    callId: text(body['Call-ID']),
    userAgent: text(body['User-Agent']),
    sourceIp: text(body['Source-IP']),
    sourcePort: text(body['Source-Port']) ?? (numeric(body['Source-Port']) === undefined ? undefined : String(body['Source-Port'])),
  };
}

/** A `deregister` notification body; undefined when it is not one, or is a Crossbar preview. */
export function parseDeregister(body: unknown): DeregisterNotice | undefined {
  if (!isFields(body) || body['Event-Name'] !== 'deregister' || body['Preview'] === true) return undefined;
  const accountId = text(body['Account-ID']);
  const username = text(body['Username']);
  const realm = text(body['Realm']);
  if (accountId === undefined || username === undefined || realm === undefined) return undefined;
  return { accountId, deviceId: text(body['Authorizing-ID']), username, realm };
}

const DOCUMENT_ACTIONS: Readonly<Record<string, DocumentAction>> = {
  doc_created: 'created',
  doc_edited: 'edited',
  doc_deleted: 'deleted',
};

/** A `doc_*` body; undefined when it is not one. The account comes from `Account-ID`, else from the database name. */
export function parseDocumentNotice(body: unknown): DocumentNotice | undefined {
  if (!isFields(body)) return undefined;
  const action = DOCUMENT_ACTIONS[String(body['Event-Name'])];
  const id = text(body['ID']);
  const type = text(body['Type']);
  if (action === undefined || id === undefined || type === undefined) return undefined;
  return {
    action,
    type,
    id,
    accountId: text(body['Account-ID']) ?? accountIdOfDb(text(body['Database'])),
    rev: text(body['Rev']),
    softDeleted: flag(body['Is-Soft-Deleted']) ?? false,
  };
}

/** `account%2Fab%2Fcd%2Frest` (or with `/`) → `abcdrest`; undefined for other databases (`sip_auth`). */
function accountIdOfDb(db: string | undefined): string | undefined {
  const match = db === undefined ? null : /^account(?:%2F|\/)([0-9a-f]{2})(?:%2F|\/)([0-9a-f]{2})(?:%2F|\/)([0-9a-f]{28})$/i.exec(db);
  return match === null ? undefined : `${match[1]}${match[2]}${match[3]}`.toLowerCase();
}
