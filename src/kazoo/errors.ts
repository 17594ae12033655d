// Errors as data: every way a Crossbar call can fail, as one class with an exhaustive `code`.
// Nothing here knows GraphQL; src/graphql/errors.ts maps these codes onto GraphQL error extensions.
// Messages are written by us: upstream bodies and tokens never end up in `message`.

export type KazooErrorCode =
  | 'INVALID_ARGUMENT' // rejected before any request left the gateway (bad id, number, cursor...)
  | 'VALIDATION' // Crossbar 400 "validation error": see `fieldErrors`
  | 'BAD_REQUEST' // other Crossbar 400s ("action required", bad JSON...)
  | 'UNAUTHENTICATED' // no token, a malformed one, or Crossbar 401 (also remembered for a while: see verdicts.ts)
  | 'INVALID_CREDENTIALS' // Crossbar 401 to a login (user_auth, api_auth): wrong credentials or API key
  | 'FORBIDDEN' // Crossbar 403 (also remembered for a while per token and account), or 423 (account locked)
  | 'NOT_FOUND' // Crossbar 404
  | 'CONFLICT' // Crossbar 409
  | 'PAYMENT_REQUIRED' // Crossbar 402: the change has charges to accept
  | 'RATE_LIMITED' // Crossbar 429, or the gateway is backing off after one
  | 'UPSTREAM_UNAVAILABLE' // 5xx, timeout, refused or reset connection, unreadable body; for a write: never sent
  | 'OUTCOME_UNKNOWN' // a write or quickcall was sent but its answer was lost or unreadable: it may have been applied
  | 'UPSTREAM_REJECTED' // any other status Crossbar should not send for this call (405, 413, 415, 416...)
  | 'UPSTREAM_INVALID' // Kazoo's answers cannot be followed: a listing that hands back a next_start_key it already gave
  | 'LISTING_TOO_LARGE' // a whole listing went on past the gateway's page bound (listing.ts)
  | 'CANCELLED'; // the caller went away (its session's signal aborted): its calls stopped (cancellation.ts)

/** One rule that failed for one field, as Crossbar reports it (`data.{field}.{rule}`), described in our words. */
export interface KazooFieldError {
  /** Dotted Kazoo path, e.g. `sip.username` (printable, bounded). */
  field: string;
  /** Crossbar rule name: `required`, `unique`, `minLength`, `enum`... (`invalid` when Kazoo's does not look like one). */
  rule: string;
  /** Ours, from the rule and its target (`must be at least 6 characters long`), never Kazoo's message. */
  message: string;
}

interface KazooErrorDetails {
  status?: number;
  /**
   * Crossbar's machine key or message (`bad_identifier`, `invalid action`...), for logs only: never in `message`, and
   * reduced to 100 printable characters at most.
   */
  kazooMessage?: string;
  fieldErrors?: KazooFieldError[];
  retryAfterMs?: number;
  requestId?: string;
  cause?: unknown;
}

export class KazooError extends Error {
  override readonly name = 'KazooError';
  readonly code: KazooErrorCode;
  readonly status: number | undefined;
  readonly kazooMessage: string | undefined;
  readonly fieldErrors: KazooFieldError[];
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;

  constructor(code: KazooErrorCode, message: string, details: KazooErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.kazooMessage = details.kazooMessage;
    this.fieldErrors = details.fieldErrors ?? [];
    this.retryAfterMs = details.retryAfterMs;
    this.requestId = details.requestId;
  }
}

export function isKazooError(error: unknown): error is KazooError {
  return error instanceof KazooError;
}

/** Codes that say Kazoo itself failed or did not answer: what the circuit breaker counts. */
export function isUpstreamFailure(code: KazooErrorCode): boolean {
  return code === 'UPSTREAM_UNAVAILABLE' || code === 'OUTCOME_UNKNOWN';
}
