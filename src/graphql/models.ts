// The parent values resolvers pass around for Kazoo documents. A device or user starts from whatever is at hand —
// a listing row, a full document, or just an id — and a field only causes an upstream read when what is at hand
// does not hold it: a page of devices showing names and owners never fetches a single device document.
import { KazooError } from '../kazoo/errors.js';
import { DEVICE_SUMMARY_KEYS, USER_SUMMARY_KEYS } from '../kazoo/types.js';
import type { KazooDevice, KazooObject, KazooUser } from '../kazoo/types.js';
import { documentKey } from '../loaders/index.js';
import type { Loaders, RegisteredDevice } from '../loaders/index.js';
import type { GatewayContext } from './context.js';
import type { UserErrorCode } from './generated/resolvers-types.js';

export type { KazooObject } from '../kazoo/types.js';

/** A Kazoo document the gateway may only partly hold yet. */
export abstract class DocumentRef<Doc extends KazooObject> {
  constructor(
    readonly accountId: string,
    readonly id: string,
    /** A listing row, if this came from a listing. */
    private readonly summary?: KazooObject,
    /** Which keys `summary` carries (listings differ: the user-devices listing has fewer than the devices one). */
    private readonly summaryKeys: ReadonlySet<string> = new Set(),
    private doc?: Doc,
  ) {}

  protected abstract load(loaders: Loaders): Promise<Doc | null>;
  protected abstract readonly kind: string;

  /** A key of the document, from what is at hand when possible. */
  read(key: string, context: GatewayContext): unknown {
    if (this.doc !== undefined) return this.doc[key];
    if (this.summary !== undefined && this.summaryKeys.has(key)) return this.summary[key];
    return this.document(context).then((doc) => doc[key]);
  }

  /** The whole document, fetched (once per request) if only a summary is held. */
  async document(context: GatewayContext): Promise<Doc> {
    if (this.doc !== undefined) return this.doc;
    const doc = await this.load(context.loaders);
    if (doc === null) {
      throw new KazooError('NOT_FOUND', `Kazoo has no ${this.kind} ${this.id} in account ${this.accountId}`);
    }
    this.doc = doc;
    return doc;
  }
}

export class DeviceRef extends DocumentRef<KazooDevice> {
  protected readonly kind = 'device';

  static fromSummary(accountId: string, summary: KazooObject & { id: string }, keys = DEVICE_SUMMARY_KEYS): DeviceRef {
    return new DeviceRef(accountId, summary.id, summary, keys);
  }

  static fromDocument(accountId: string, doc: KazooDevice): DeviceRef {
    return new DeviceRef(accountId, doc.id, undefined, undefined, doc);
  }

  protected load(loaders: Loaders): Promise<KazooDevice | null> {
    return loaders.device.load(documentKey(this.accountId, this.id));
  }
}

export class UserRef extends DocumentRef<KazooUser> {
  protected readonly kind = 'user';

  static fromSummary(accountId: string, summary: KazooObject & { id: string }): UserRef {
    return new UserRef(accountId, summary.id, summary, USER_SUMMARY_KEYS);
  }

  static fromDocument(accountId: string, doc: KazooUser): UserRef {
    return new UserRef(accountId, doc.id, undefined, undefined, doc);
  }

  protected load(loaders: Loaders): Promise<KazooUser | null> {
    return loaders.user.load(documentKey(this.accountId, this.id));
  }
}

/** A device's registration: registered with details, registered with only a status, or not registered. */
export interface RegistrationModel {
  readonly kind: 'registration';
  accountId: string;
  deviceId: string;
  registered: boolean;
  details: RegisteredDevice['details'];
  /** When Kazoo's answer was read (ms since the epoch): the `expires` seconds in `details` count from then. */
  readAt: number;
}

export interface UserDeviceModel {
  hotdesked: boolean;
  device: DeviceRef;
}

export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export type DeviceConnectionModel = Connection<DeviceRef>;
export type UserConnectionModel = Connection<UserRef>;

/** An account: only its id is at hand; every other field is read when asked for. */
export interface AccountModel {
  readonly kind: 'account';
  accountId: string;
}

export function accountModel(accountId: string): AccountModel {
  return { kind: 'account', accountId };
}

export interface ViewerModel {
  accountId: string;
  ownerId: string | undefined;
  accountName: string | undefined;
  authMethod: string | undefined;
}

/** A placed quickcall. Kazoo's answer itself (the originate request, with SIP details) is never passed on. */
export interface QuickcallModel {
  accepted: boolean;
  callId: string | undefined;
  /** Read with the caller's token before the call was placed: what that token may see. */
  device: DeviceRef;
  /** What was dialled. */
  number: string;
}

export interface AccessTokenModel {
  token: string;
  expiresAt: Date | undefined;
  accountId: string;
  accountName: string | undefined;
  ownerId: string | undefined;
}

/** Something the client can fix in a mutation's input: the path it wrote (list entries by position), and why. */
export interface UserErrorModel {
  field: readonly string[] | null;
  code: UserErrorCode;
  message: string;
}

/**
 * A mutation's answer: the objects it made, changed or acted on, or, when it was not carried out because of its input,
 * `userErrors` and no objects (their fields answer null).
 */
export type Payload<Result extends object> = Partial<Result> & { userErrors: UserErrorModel[] };

type EdgeModel<Node> = Connection<Node>['edges'][number];

export type LoginPayloadModel = Payload<{ accessToken: AccessTokenModel }>;
export type CreateDevicePayloadModel = Payload<{ device: DeviceRef; deviceEdge: EdgeModel<DeviceRef> }>;
/** What updates, replacements and actions (sync, NOTIFY, presence reset) of a device answer. */
export type DevicePayloadModel = Payload<{ device: DeviceRef }>;
export type DeleteDevicePayloadModel = Payload<{ deletedDeviceId: string }>;
export type QuickcallDevicePayloadModel = Payload<{ call: QuickcallModel }>;
export type CreateUserPayloadModel = Payload<{ user: UserRef; userEdge: EdgeModel<UserRef> }>;
export type UserPayloadModel = Payload<{ user: UserRef }>;
export type DeleteUserPayloadModel = Payload<{ deletedUserId: string }>;
