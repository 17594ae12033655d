// Root mutations. Each answers a payload (models.ts Payload): the object it made, changed or acted on, or, when the
// client can fix what kept it from being carried out, `userErrors` (errors.ts userErrorsOf) and no object. Arguments
// pass input-checks.ts first; inputs then become Kazoo documents through kazoo-mapping.ts, and Kazoo's validation
// errors are located back in the input the client sent, down to list entries. Nothing is retried here: the client
// only retries reads.
import { isInputObjectType } from 'graphql';
import type { GraphQLInputObjectType, GraphQLResolveInfo } from 'graphql';
import * as auth from '../../kazoo/auth.js';
import { isRecord } from '../../kazoo/client.js';
import * as devices from '../../kazoo/devices.js';
import { KazooError } from '../../kazoo/errors.js';
import { assertDialledNumber } from '../../kazoo/paths.js';
import type { KazooObject } from '../../kazoo/types.js';
import * as users from '../../kazoo/users.js';
import type { GatewayContext } from '../context.js';
import { toGraphQLError, userErrorOfProblem, userErrorsOf } from '../errors.js';
import type { UserErrorSources } from '../errors.js';
import type { MutationResolvers } from '../generated/resolvers-types.js';
import { globalId } from '../global-id.js';
import { argumentProblems, assertCallerIdName, assertCallerIdNumber, assertSipEvent } from '../input-checks.js';
import { inputLocationOf, toKazooDocument, withoutNulls } from '../kazoo-mapping.js';
import type { InputConversion } from '../kazoo-mapping.js';
import { provisionKeysShape } from '../kazoo-shapes.js';
import { DeviceRef, UserRef } from '../models.js';
import type { DevicePayloadModel, LoginPayloadModel, Payload } from '../models.js';
import { positionAfterDocument } from '../pagination.js';
import { accountOf, documentOf } from '../scope.js';

const LIST_SHAPES = { ProvisionKeyInput: provisionKeysShape };

/** Where Kazoo's 404 for the object a mutation acts on is reported. */
const DEVICE = { field: ['id'], kind: 'device' } as const;
const USER = { field: ['id'], kind: 'user' } as const;

/**
 * Carries the mutation out and answers its payload: its objects, or the userErrors its failure means (with no
 * objects). Any other failure is a top-level error.
 */
async function payload<Result extends object>(sources: UserErrorSources, carryOut: () => Promise<Result>): Promise<Payload<Result>> {
  try {
    return { ...(await carryOut()), userErrors: [] };
  } catch (error) {
    const userErrors = userErrorsOf(error, sources);
    if (userErrors === undefined) throw toGraphQLError(error);
    const noObjects: Partial<Result> = {};
    return { ...noObjects, userErrors };
  }
}

function inputType(info: GraphQLResolveInfo, name: 'DeviceInput' | 'UserInput'): GraphQLInputObjectType {
  const type = info.schema.getType(name);
  if (!isInputObjectType(type)) throw new Error(`schema.graphql lost its ${name} input`);
  return type;
}

/** Converts `input` and writes it; Kazoo's validation errors are located in `input` as the client sent it. */
function write<Result extends object>(
  info: GraphQLResolveInfo,
  typeName: 'DeviceInput' | 'UserInput',
  input: Readonly<Record<string, unknown>>,
  subject: UserErrorSources['subject'],
  send: (document: KazooObject) => Promise<Result>,
): Promise<Payload<Result>> {
  const conversion: InputConversion = { schema: info.schema, listShapes: LIST_SHAPES };
  const type = inputType(info, typeName);
  const locate = (kazooField: string) => inputLocationOf(conversion, type, input, kazooField, 'input');
  return payload({ locate, subject }, () => send(toKazooDocument(conversion, type, input)));
}

/** The document a mutation acts on (scope.ts: `id` global or Kazoo, `accountId` defaulting to the token's). */
async function target(
  context: GatewayContext,
  type: 'Device' | 'User',
  args: { accountId?: string | null; id: string },
): Promise<{ accountId: string; id: string }> {
  const { accountId, kazooId } = await documentOf(context, type, args.id, args.accountId);
  return { accountId, id: kazooId };
}

/**
 * A login's payload; a refusal names the login argument a Kazoo field came from (`argumentOf`: Kazoo key ->
 * argument), so `api_key` is reported as `apiKey`.
 */
function login(
  attempt: () => Promise<auth.KazooLogin>,
  argumentOf: Readonly<Record<string, string>>,
  credentials?: readonly string[],
): Promise<LoginPayloadModel> {
  const locate = (kazooField: string) => {
    const argument = argumentOf[kazooField];
    return argument === undefined ? undefined : { path: [argument], exact: true };
  };
  return payload({ locate, credentials }, async () => {
    const answer = await attempt();
    return {
      accessToken: {
        token: answer.token,
        expiresAt: answer.expiresAt,
        accountId: answer.data.account_id,
        accountName: typeof answer.data.account_name === 'string' ? answer.data.account_name : undefined,
        ownerId: typeof answer.data.owner_id === 'string' ? answer.data.owner_id : undefined,
      },
    };
  });
}

/**
 * A Kazoo action on a device. Its payload holds the device by id only: the device is read from Kazoo only when the
 * client selects more than its ids, so the action costs no other call.
 */
function deviceAction(
  context: GatewayContext,
  args: { accountId?: string | null; id: string },
  act: (accountId: string, id: string) => Promise<void>,
): Promise<DevicePayloadModel> {
  return payload({ subject: DEVICE }, async () => {
    const { accountId, id } = await target(context, 'Device', args);
    await act(accountId, id);
    return { device: new DeviceRef(accountId, id) };
  });
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

/**
 * Each mutation with its arguments checked (input-checks.ts) before its resolver runs: refused arguments are the
 * payload's userErrors, and nothing is sent.
 */
function withCheckedArguments(resolvers: MutationResolvers): MutationResolvers {
  const checked: Record<string, CheckedResolver> = {};
  for (const [name, resolver] of Object.entries(resolvers)) {
    if (typeof resolver !== 'function') throw new Error(`Mutation.${name} must be a resolver function`);
    // Each resolver is called with exactly what graphql-js passes it; only the wrapper's type is wider.
    const resolve = resolver as CheckedResolver;
    checked[name] = (root, args, context, info) => {
      const problems = argumentProblems(info, args);
      if (problems.length > 0) return { userErrors: problems.map(userErrorOfProblem) };
      return resolve(root, args, context, info);
    };
  }
  return checked as MutationResolvers;
}

export const Mutation: MutationResolvers = withCheckedArguments({
  loginWithCredentials: (_root, args, context) =>
    login(
      () =>
        auth.withCredentials(
          context.session.client,
          { username: args.username, password: args.password, accountName: args.accountName },
          context.session.requestId,
        ),
      // Kazoo only sees the hash of username and password, so only the account name can come back as a field, and a
      // refusal cannot say which of the three is wrong.
      { account_name: 'accountName' },
    ),

  loginWithApiKey: (_root, args, context) =>
    login(() => auth.withApiKey(context.session.client, args.apiKey, context.session.requestId), { api_key: 'apiKey' }, [
      'apiKey',
    ]),

  createDevice: (_root, args, context, info) =>
    write(info, 'DeviceInput', args.input, undefined, async (document) => {
      const accountId = await accountOf(context, args.accountId);
      const device = DeviceRef.fromDocument(accountId, await devices.create(context.session, accountId, withoutNulls(document)));
      return { device, deviceEdge: { cursor: context.cursors.encode(positionAfterDocument(device.id)), node: device } };
    }),

  updateDevice: (_root, args, context, info) =>
    write(info, 'DeviceInput', args.input, DEVICE, async (document) => {
      const { accountId, id } = await target(context, 'Device', args);
      const updated = await devices.patch(context.session, accountId, id, document, { sync: args.sync === true });
      return { device: DeviceRef.fromDocument(accountId, updated) };
    }),

  replaceDevice: (_root, args, context, info) =>
    write(info, 'DeviceInput', args.input, DEVICE, async (document) => {
      const { accountId, id } = await target(context, 'Device', args);
      const replaced = await devices.replace(context.session, accountId, id, withoutNulls(document), { sync: args.sync === true });
      return { device: DeviceRef.fromDocument(accountId, replaced) };
    }),

  deleteDevice: (_root, args, context) =>
    payload({ subject: DEVICE }, async () => {
      const { accountId, id } = await target(context, 'Device', args);
      await devices.remove(context.session, accountId, id);
      return { deletedDeviceId: globalId('Device', accountId, id) };
    }),

  syncDevice: (_root, args, context) => deviceAction(context, args, (accountId, id) => devices.sync(context.session, accountId, id)),

  notifyDevice: (_root, args, context) =>
    deviceAction(context, args, (accountId, id) =>
      devices.notify(context.session, accountId, id, {
        event: assertSipEvent(args.event, 'event'),
        body: args.body == null ? undefined : { contentType: args.body.contentType, data: args.body.data },
      }),
    ),

  resetDevicePresence: (_root, args, context) =>
    deviceAction(context, args, (accountId, id) => devices.resetPresence(context.session, accountId, id)),

  quickcallDevice: (_root, args, context) =>
    payload({ subject: DEVICE }, async () => {
      const { accountId, id } = await target(context, 'Device', args);
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
      // Kazoo places a GET quickcall without checking the token (crossbar.default_allow_anonymous_quickcalls is true
      // by default), so the caller is authorized here: reading the device with the caller's token makes Kazoo check
      // the token and its account, and a refusal (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND) stops before any call is placed.
      const device = new DeviceRef(accountId, id);
      await device.document(context);
      const request = await devices.quickcall(context.session, accountId, id, number, options);
      return { call: { accepted: true, callId: quickcallCallId(isRecord(request) ? request : {}), device, number } };
    }),

  createUser: (_root, args, context, info) =>
    write(info, 'UserInput', args.input, undefined, async (document) => {
      const accountId = await accountOf(context, args.accountId);
      const user = UserRef.fromDocument(accountId, await users.create(context.session, accountId, withoutNulls(document)));
      return { user, userEdge: { cursor: context.cursors.encode(positionAfterDocument(user.id)), node: user } };
    }),

  updateUser: (_root, args, context, info) =>
    write(info, 'UserInput', args.input, USER, async (document) => {
      const { accountId, id } = await target(context, 'User', args);
      return { user: UserRef.fromDocument(accountId, await users.patch(context.session, accountId, id, document)) };
    }),

  replaceUser: (_root, args, context, info) =>
    write(info, 'UserInput', args.input, USER, async (document) => {
      const { accountId, id } = await target(context, 'User', args);
      return { user: UserRef.fromDocument(accountId, await users.replace(context.session, accountId, id, withoutNulls(document))) };
    }),

  deleteUser: (_root, args, context) =>
    payload({ subject: USER }, async () => {
      const { accountId, id } = await target(context, 'User', args);
      await users.remove(context.session, accountId, id);
      return { deletedUserId: globalId('User', accountId, id) };
    }),
});
