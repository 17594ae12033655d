// Errors as data: every failure reaches clients as a GraphQL error with a stable `extensions.code`, or, for what the
// client can fix in a mutation's input, as a UserError in the mutation's payload (userErrorsOf, below).
// Codes: BAD_USER_INPUT, UNAUTHENTICATED, INVALID_CREDENTIALS, FORBIDDEN, NOT_FOUND, CONFLICT, PAYMENT_REQUIRED,
// RATE_LIMITED, UPSTREAM_UNAVAILABLE, OUTCOME_UNKNOWN (a write or quickcall that may have been applied),
// UPSTREAM_REJECTED, LISTING_TOO_LARGE (a listing too large for the gateway to sort or read whole), CANCELLED (the
// client went away: nobody reads it, but logs and metrics do), INTERNAL_SERVER_ERROR. Messages are the gateway's own:
// no upstream body, token or stack ever reaches a client.
import { GraphQLError } from 'graphql';
import { isKazooError } from '../kazoo/errors.js';
import type { KazooErrorCode, KazooFieldError } from '../kazoo/errors.js';
import type { UserErrorCode } from './generated/resolvers-types.js';
import type { InputLocation } from './kazoo-mapping.js';
import type { UserErrorModel } from './models.js';

type GatewayErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYMENT_REQUIRED'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'OUTCOME_UNKNOWN'
  | 'UPSTREAM_REJECTED'
  | 'LISTING_TOO_LARGE'
  | 'CANCELLED'
  | 'INTERNAL_SERVER_ERROR';

const CODE_OF: Record<KazooErrorCode, GatewayErrorCode> = {
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
  VALIDATION: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYMENT_REQUIRED: 'PAYMENT_REQUIRED',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
  UPSTREAM_REJECTED: 'UPSTREAM_REJECTED',
  // Kazoo's answers could not be used, like an unreadable one; the message says which.
  UPSTREAM_INVALID: 'UPSTREAM_UNAVAILABLE',
  LISTING_TOO_LARGE: 'LISTING_TOO_LARGE',
  CANCELLED: 'CANCELLED',
};

export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/**
 * Maps any thrown value to a GraphQL error. Its `extensions.fieldErrors` name the arguments the gateway refused
 * (`{ field, rule, message }`); a mutation reports those as userErrors instead (userErrorsOf, below).
 */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) {
    return isKazooError(error.originalError) ? toGraphQLError(error.originalError) : error;
  }
  if (!isKazooError(error)) {
    // Kept as originalError for the server's logs; clients only see the generic message.
    return new GraphQLError('Internal server error', {
      originalError: error instanceof Error ? error : new Error(String(error)),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  }
  const extensions: Record<string, unknown> = {};
  if (error.fieldErrors.length > 0) {
    extensions.fieldErrors = error.fieldErrors.map(({ field, rule, message }) => ({ field, rule, message }));
  }
  if (error.retryAfterMs !== undefined) {
    extensions.retryAfterMs = error.retryAfterMs;
  }
  if (error.status !== undefined) extensions.upstreamStatus = error.status;
  if (error.requestId !== undefined) extensions.requestId = error.requestId;
  return new GraphQLError(error.message, { extensions: { ...extensions, code: CODE_OF[error.code] } });
}

// Mutations answer what the client can fix in its input as userErrors in their payloads, not as errors: the gateway's
// own refusals, Kazoo's validation errors (mapped back to the input), an object Kazoo does not have, a refused login,
// a conflicting write and charges to accept. What the input cannot fix stays a top-level error (toGraphQLError):
// the token (UNAUTHENTICATED, FORBIDDEN), Kazoo's state (RATE_LIMITED, UPSTREAM_UNAVAILABLE, UPSTREAM_REJECTED),
// OUTCOME_UNKNOWN, and the gateway's own failures.

/** Kazoo's validation rules (kazoo-crossbar.md §1.3, crossbar-answer.ts) and the gateway's input rules, as codes. */
const USER_ERROR_CODE_OF_RULE: Readonly<Record<string, UserErrorCode>> = {
  required: 'REQUIRED',
  invalid: 'INVALID',
  format: 'INVALID_FORMAT',
  wrong_format: 'INVALID_FORMAT',
  pattern: 'INVALID_FORMAT',
  minLength: 'TOO_SHORT',
  maxLength: 'TOO_LONG',
  minimum: 'TOO_SMALL',
  maximum: 'TOO_LARGE',
  minItems: 'TOO_FEW_ITEMS',
  maxItems: 'TOO_MANY_ITEMS',
  enum: 'NOT_ONE_OF',
  type: 'WRONG_TYPE',
  unique: 'NOT_UNIQUE',
  uniqueItems: 'DUPLICATE_ITEMS',
  additionalProperties: 'UNKNOWN_PROPERTY',
  forbidden: 'NOT_ALLOWED',
  not_found: 'NOT_FOUND',
  expired: 'EXPIRED',
  disabled: 'DISABLED',
  controlCharacter: 'CONTROL_CHARACTER',
  maxDepth: 'TOO_DEEP',
  // An enum value that reads but cannot be written (DeviceType.OTHER).
  readOnly: 'NOT_ALLOWED',
};

/** What a mutation knows about where a failure's user errors point. */
export interface UserErrorSources {
  /** Where a Kazoo validation error's field came from in the arguments; undefined when nowhere. */
  locate?: (kazooField: string) => InputLocation | undefined;
  /** The argument naming the object the mutation acts on, and its kind: where Kazoo's 404 is reported. */
  subject?: { field: readonly string[]; kind: string };
  /** The argument a refused login is reported on, when Kazoo's refusal can only concern that one. */
  credentials?: readonly string[];
}

function codeOfRule(rule: string): UserErrorCode {
  return USER_ERROR_CODE_OF_RULE[rule] ?? 'INVALID';
}

/** `field` and `message` are the gateway's: the path the client wrote, and what is wrong with it. */
export function userErrorOfProblem(problem: { field: readonly string[]; rule: string; message: string }): UserErrorModel {
  return { field: problem.field, code: codeOfRule(problem.rule), message: `\`${problem.field.join('.')}\` ${problem.message}` };
}

function userErrorOfKazooField(fieldError: KazooFieldError, sources: UserErrorSources): UserErrorModel {
  const location = sources.locate?.(fieldError.field);
  // A rule without a code of its own (`not_one_schema_valid`: none of a `oneOf`'s shapes fits) is named, as a hint.
  const message = fieldError.rule in USER_ERROR_CODE_OF_RULE ? fieldError.message : `is invalid (Kazoo's rule ${fieldError.rule})`;
  if (location?.exact === true) return userErrorOfProblem({ rule: fieldError.rule, message, field: location.path });
  return { field: location?.path ?? null, code: codeOfRule(fieldError.rule), message: `Kazoo's field \`${fieldError.field}\` ${message}` };
}

/**
 * The userErrors a mutation that failed with `error` answers, or undefined when the failure is a top-level error.
 * The gateway's refusals (INVALID_ARGUMENT) name the argument path already; Kazoo's validation errors are located
 * in the arguments through `sources`.
 */
export function userErrorsOf(error: unknown, sources: UserErrorSources = {}): UserErrorModel[] | undefined {
  if (error instanceof GraphQLError) return userErrorsOf(error.originalError, sources);
  if (!isKazooError(error)) return undefined;
  const whole = (code: UserErrorCode, field: readonly string[] | null = null): UserErrorModel[] => [
    { field, code, message: error.message },
  ];
  switch (error.code) {
    case 'INVALID_ARGUMENT':
      // Raised by the gateway about its own arguments (`id`, `number`, `input.extra`): the field is the path.
      return error.fieldErrors.length === 0
        ? whole('INVALID')
        : error.fieldErrors.map((fieldError) => userErrorOfProblem({ ...fieldError, field: fieldError.field.split('.') }));
    case 'VALIDATION':
      return error.fieldErrors.length === 0
        ? whole('INVALID')
        : error.fieldErrors.map((fieldError) => userErrorOfKazooField(fieldError, sources));
    case 'BAD_REQUEST':
      return whole('INVALID');
    case 'NOT_FOUND': {
      const subject = sources.subject;
      if (subject === undefined) return whole('NOT_FOUND');
      const message = `\`${subject.field.join('.')}\` names no ${subject.kind} Kazoo has in this account`;
      return [{ field: subject.field, code: 'NOT_FOUND', message }];
    }
    case 'INVALID_CREDENTIALS':
      return whole('INVALID_CREDENTIALS', sources.credentials ?? null);
    case 'CONFLICT':
      return whole('CONFLICT');
    case 'PAYMENT_REQUIRED':
      return whole('PAYMENT_REQUIRED');
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
    case 'RATE_LIMITED':
    case 'UPSTREAM_UNAVAILABLE':
    case 'OUTCOME_UNKNOWN':
    case 'UPSTREAM_REJECTED':
    case 'UPSTREAM_INVALID':
    case 'LISTING_TOO_LARGE':
    case 'CANCELLED':
      return undefined;
  }
}
