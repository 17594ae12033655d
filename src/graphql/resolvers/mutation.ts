// Root mutations. Every mutation's arguments pass input-checks.ts first; inputs then become Kazoo documents through
// kazoo-mapping.ts, and Kazoo's validation errors come back with the GraphQL path of the offending input field.
// Nothing is retried here: the client only retries reads.
import { isInputObjectType } from 'graphql';
import type { GraphQLInputObjectType, GraphQLResolveInfo } from 'graphql';
import * as auth from '../../kazoo/auth.js';
import { isRecord } from '../../kazoo/client.js';
import * as devices from '../../kazoo/devices.js';
import { KazooError } from '../../kazoo/errors.js';
import { assertDialledNumber, assertKazooId } from '../../kazoo/paths.js';
import type { KazooObject } from '../../kazoo/types.js';
import * as users from '../../kazoo/users.js';
import type { GatewayContext } from '../context.js';
import { toGraphQLError } from '../errors.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';
import { assertCallerIdName, assertCallerIdNumber, assertSipEvent, checkArguments } from '../input-checks.js';
import { inputPathOf, toKazooDocument, withoutNulls } from '../kazoo-mapping.js';
import { provisionKeysToKazoo } from '../kazoo-shapes.js';
import { DeviceRef, UserRef } from '../models.js';
import type { AuthPayloadModel, QuickcallModel } from '../models.js';

const LIST_CONVERTERS = { ProvisionKeyInput: provisionKeysToKazoo };

function inputType(info: GraphQLResolveInfo, name: 'DeviceInput' | 'UserInput'): GraphQLInputObjectType {
  const type = info.schema.getType(name);
  if (!isInputObjectType(type)) throw new Error(`schema.graphql lost its ${name} input`);
  return type;
}

/** Converts `input` and runs the write, reporting Kazoo validation errors against the GraphQL input's paths. */
async function write<T>(
  info: GraphQLResolveInfo,
  typeName: 'DeviceInput' | 'UserInput',
  input: Readonly<Record<string, unknown>>,
  send: (document: KazooObject) => Promise<T>,
): Promise<T> {
  const type = inputType(info, typeName);
  const document = toKazooDocument({ schema: info.schema, listConverters: LIST_CONVERTERS }, type, input);
  try {
    return await send(document);
  } catch (error) {
    throw toGraphQLError(error, (kazooField) => inputPathOf(info.schema, type, kazooField, 'input'));
  }
}

function ids(args: { accountId: string; id: string }, idName = 'id'): { accountId: string; id: string } {
  return { accountId: assertKazooId(args.accountId, 'accountId'), id: assertKazooId(args.id, idName) };
}

/**
 * The login's answer; a refusal names the login argument a Kazoo field came from (`argumentOf`: Kazoo key ->
 * argument), so `api_key` is reported as `apiKey`.
 */
async function loginPayload(
  login: Promise<auth.KazooLogin>,
  argumentOf: Readonly<Record<string, string>>,
): Promise<AuthPayloadModel> {
  let answer: auth.KazooLogin;
  try {
    answer = await login;
  } catch (error) {
    throw toGraphQLError(error, (kazooField) => argumentOf[kazooField]);
  }
  return {
    token: answer.token,
    expiresAt: answer.expiresAt,
    accountId: answer.data.account_id,
    accountName: typeof answer.data.account_name === 'string' ? answer.data.account_name : undefined,
    ownerId: typeof answer.data.owner_id === 'string' ? answer.data.owner_id : undefined,
  };
}

/** Kazoo 4.3 answers a quickcall GET with the originate request; its endpoints carry the call ids. */
function quickcallCallId(request: KazooObject): string | undefined {
  const endpoints = request.Endpoints ?? request.endpoints;
  const first: unknown = Array.isArray(endpoints) ? endpoints[0] : undefined;
  const callId = isRecord(first) ? (first['Outbound-Call-ID'] ?? first.outbound_call_id) : undefined;
  return typeof callId === 'string' ? callId : undefined;
}

type CheckedResolver = (
  root: unknown,
  args: Readonly<Record<string, unknown>>,
  context: GatewayContext,
  info: GraphQLResolveInfo,
) => unknown;

/** Each mutation with its arguments checked (input-checks.ts) before its resolver runs and anything is sent. */
function withCheckedArguments(resolvers: MutationResolvers): MutationResolvers {
  const checked: Record<string, CheckedResolver> = {};
  for (const [name, resolver] of Object.entries(resolvers)) {
    if (typeof resolver !== 'function') throw new Error(`Mutation.${name} must be a resolver function`);
    // Each resolver is called with exactly what graphql-js passes it; only the wrapper's type is wider.
    const resolve = resolver as CheckedResolver;
    checked[name] = (root, args, context, info) => {
      checkArguments(info, args);
      return resolve(root, args, context, info);
    };
  }
  return checked as MutationResolvers;
}

export const Mutation: MutationResolvers = withCheckedArguments({
  loginWithCredentials: (_root, args, context) =>
    loginPayload(
      auth.withCredentials(
        context.session.client,
        { username: args.username, password: args.password, accountName: args.accountName },
        context.session.requestId,
      ),
      // Kazoo only sees the hash of username and password, so only the account name can come back as a field.
      { account_name: 'accountName' },
    ),

  loginWithApiKey: (_root, args, context) =>
    loginPayload(auth.withApiKey(context.session.client, args.apiKey, context.session.requestId), { api_key: 'apiKey' }),

  createDevice: async (_root, args, context, info) => {
    const accountId = assertKazooId(args.accountId, 'accountId');
    const created = await write(info, 'DeviceInput', args.input, (document) =>
      devices.create(context.session, accountId, withoutNulls(document)),
    );
    return DeviceRef.fromDocument(accountId, created);
  },

  updateDevice: async (_root, args, context, info) => {
    const { accountId, id } = ids(args);
    const updated = await write(info, 'DeviceInput', args.input, (document) =>
      devices.patch(context.session, accountId, id, document, { sync: args.sync === true }),
    );
    return DeviceRef.fromDocument(accountId, updated);
  },

  replaceDevice: async (_root, args, context, info) => {
    const { accountId, id } = ids(args);
    const replaced = await write(info, 'DeviceInput', args.input, (document) =>
      devices.replace(context.session, accountId, id, withoutNulls(document), { sync: args.sync === true }),
    );
    return DeviceRef.fromDocument(accountId, replaced);
  },

  deleteDevice: async (_root, args, context) => {
    const { accountId, id } = ids(args);
    return DeviceRef.fromDocument(accountId, await devices.remove(context.session, accountId, id));
  },

  syncDevice: async (_root, args, context) => {
    const { accountId, id } = ids(args);
    await devices.sync(context.session, accountId, id);
    return true;
  },

  notifyDevice: async (_root, args, context) => {
    const { accountId, id } = ids(args);
    await devices.notify(context.session, accountId, id, {
      event: assertSipEvent(args.event, 'event'),
      body: args.body == null ? undefined : { contentType: args.body.contentType, data: args.body.data },
    });
    return true;
  },

  resetDevicePresence: async (_root, args, context) => {
    const { accountId, id } = ids(args);
    await devices.resetPresence(context.session, accountId, id);
    return true;
  },

  quickcall: async (_root, args, context): Promise<QuickcallModel> => {
    const { accountId, id } = ids({ accountId: args.accountId, id: args.deviceId }, 'deviceId');
    const number = assertDialledNumber(args.number, 'number');
    if (args.timeoutSeconds != null && args.timeoutSeconds <= 3) {
      throw new KazooError('INVALID_ARGUMENT', '`timeoutSeconds` must be more than 3', {
        fieldErrors: [{ field: 'timeoutSeconds', rule: 'minimum', message: 'must be more than 3' }],
      });
    }
    const options = {
      callerIdName: args.callerIdName == null ? undefined : assertCallerIdName(args.callerIdName, 'callerIdName'),
      callerIdNumber: args.callerIdNumber == null ? undefined : assertCallerIdNumber(args.callerIdNumber, 'callerIdNumber'),
      autoAnswer: args.autoAnswer ?? undefined,
      timeoutSeconds: args.timeoutSeconds ?? undefined,
    };
    // Kazoo places a GET quickcall without checking the token (crossbar.default_allow_anonymous_quickcalls is true by
    // default), so the caller is authorized here: reading the device with the caller's token makes Kazoo check the
    // token and its account, and a refusal (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND) stops before any call is placed.
    const device = new DeviceRef(accountId, id);
    await device.document(context);
    const request = await devices.quickcall(context.session, accountId, id, number, options);
    return { accepted: true, callId: quickcallCallId(isRecord(request) ? request : {}), device, number };
  },

  createUser: async (_root, args, context, info) => {
    const accountId = assertKazooId(args.accountId, 'accountId');
    const created = await write(info, 'UserInput', args.input, (document) =>
      users.create(context.session, accountId, withoutNulls(document)),
    );
    return UserRef.fromDocument(accountId, created);
  },

  updateUser: async (_root, args, context, info) => {
    const { accountId, id } = ids(args);
    const updated = await write(info, 'UserInput', args.input, (document) =>
      users.patch(context.session, accountId, id, document),
    );
    return UserRef.fromDocument(accountId, updated);
  },

  replaceUser: async (_root, args, context, info) => {
    const { accountId, id } = ids(args);
    const replaced = await write(info, 'UserInput', args.input, (document) =>
      users.replace(context.session, accountId, id, withoutNulls(document)),
    );
    return UserRef.fromDocument(accountId, replaced);
  },

  deleteUser: async (_root, args, context) => {
    const { accountId, id } = ids(args);
    return UserRef.fromDocument(accountId, await users.remove(context.session, accountId, id));
  },
});
