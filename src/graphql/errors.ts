// Errors as data: every failure reaches clients as a GraphQL error with a stable `extensions.code`.
// Codes: BAD_USER_INPUT, UNAUTHENTICATED, INVALID_CREDENTIALS, FORBIDDEN, NOT_FOUND, CONFLICT, PAYMENT_REQUIRED,
// RATE_LIMITED, UPSTREAM_UNAVAILABLE, OUTCOME_UNKNOWN (a write or quickcall that may have been applied),
// UPSTREAM_REJECTED, INTERNAL_SERVER_ERROR. Messages are the gateway's own: no upstream body, token or stack ever
// reaches a client.
import { GraphQLError } from 'graphql';
import { isKazooError } from '../kazoo/errors.js';
import type { KazooErrorCode, KazooFieldError } from '../kazoo/errors.js';

export type GatewayErrorCode =
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
};

/** A field error as clients see it: `field` is the GraphQL path when one maps, `kazooField` Kazoo's own path. */
export interface FieldErrorExtension {
  field: string;
  kazooField?: string;
  rule: string;
  message: string;
}

export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/**
 * Maps any thrown value to a GraphQL error. `fieldPath` turns a Kazoo field path into the GraphQL argument path
 * the client wrote (for validation errors of mutations).
 */
export function toGraphQLError(error: unknown, fieldPath?: (kazooField: string) => string | undefined): GraphQLError {
  if (error instanceof GraphQLError) {
    return isKazooError(error.originalError) ? toGraphQLError(error.originalError, fieldPath) : error;
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
    extensions.fieldErrors = error.fieldErrors.map((fieldError) => fieldErrorExtension(fieldError, error.code, fieldPath));
  }
  if (error.retryAfterMs !== undefined) {
    extensions.retryAfterMs = error.retryAfterMs;
  }
  if (error.status !== undefined) extensions.upstreamStatus = error.status;
  if (error.requestId !== undefined) extensions.requestId = error.requestId;
  return new GraphQLError(error.message, { extensions: { ...extensions, code: CODE_OF[error.code] } });
}

function fieldErrorExtension(
  fieldError: KazooFieldError,
  code: KazooErrorCode,
  fieldPath: ((kazooField: string) => string | undefined) | undefined,
): FieldErrorExtension {
  // INVALID_ARGUMENT errors are raised by the gateway and already name the GraphQL argument.
  if (code === 'INVALID_ARGUMENT') return { ...fieldError };
  const graphqlField = fieldPath?.(fieldError.field);
  return {
    field: graphqlField ?? fieldError.field,
    kazooField: fieldError.field,
    rule: fieldError.rule,
    message: fieldError.message,
  };
}
