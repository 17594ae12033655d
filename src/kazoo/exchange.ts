// One HTTP exchange with Crossbar over an undici dispatcher, and the line between Kazoo failing and the gateway
// failing. A failure is Kazoo's (a NetworkFailure: counted by the circuit breaker, retried for reads) only when it is a
// genuine network outcome: a refused, reset or timed-out connection, DNS failing, an answer that is not HTTP, or the
// call's deadline. Anything else undici or Node throws (an invalid header, a closed pool, a TypeError) is the
// gateway's own error and is passed on unchanged. A NetworkFailure also says whether the request had been handed to a
// connected socket: from then on Kazoo may have acted on it, which is what makes a write's outcome unknown. A caller
// that goes away (`cancel`) is neither: the exchange is aborted and fails with CANCELLED.
import type { IncomingHttpHeaders } from 'node:http';
import { errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { cancelled } from './cancellation.js';
import type { CancelSignal } from './cancellation.js';

export interface CrossbarResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';
  constructor(
    /** The request had started on a connected socket: Kazoo may have received and applied it. */
    readonly sent: boolean,
    /** The deadline or one of the socket's timeouts ran out, as opposed to a connection that failed. */
    readonly timedOut: boolean,
    cause: unknown,
  ) {
    super(timedOut ? 'Kazoo did not answer in time' : 'Kazoo could not be reached', { cause });
  }
}

/** Error codes of network outcomes (undici's and the system's); an answer llhttp cannot parse is one too. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNABORTED',
  // TLS: Kazoo's certificate or handshake failing is Kazoo unreachable, not a bug of the gateway.
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * Sends one request and collects the whole answer. Rejects with a NetworkFailure for network outcomes and for
 * `deadline` aborting, with CANCELLED when `cancel` aborts first, and with the original error for anything else.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  deadline: CancelSignal,
  cancel?: CancelSignal,
): Promise<CrossbarResponse> {
  return new Promise((resolve, reject) => {
    let sent = false;
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];

    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      deadline.removeEventListener('abort', onDeadline);
      cancel?.removeEventListener('abort', onCancel);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!settle()) return;
      if (deadline.aborted) reject(new NetworkFailure(sent, true, error));
      else if (isNetworkError(error)) reject(new NetworkFailure(sent, TIMEOUT_CODES.has(errorCode(error) ?? ''), error));
      else reject(error);
    };
    // Before the request starts (queued for a connection) there is nothing to abort yet: it is aborted as it starts.
    const deadlineError = (): Error => (deadline.reason instanceof Error ? deadline.reason : new Error('The deadline passed'));
    const onDeadline = (): void => {
      controller?.abort(deadlineError());
      fail(deadline.reason);
    };
    const onCancel = (): void => {
      if (!settle()) return;
      const error = cancelled();
      controller?.abort(error);
      reject(error);
    };
    if (cancel?.aborted === true) {
      onCancel();
      return;
    }
    if (deadline.aborted) {
      fail(deadline.reason);
      return;
    }
    deadline.addEventListener('abort', onDeadline, { once: true });
    cancel?.addEventListener('abort', onCancel, { once: true });

    dispatcher.dispatch(options, {
      onRequestStart(started) {
        controller = started;
        if (settled) {
          started.abort(deadlineError());
          return;
        }
        sent = true;
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        if (!settle()) return;
        resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
      },
      onResponseError(_controller, error) {
        fail(error);
      },
    });
  });
}

function isNetworkError(error: unknown): boolean {
  // An HTTPParserError: the answer was not HTTP (something that is not Kazoo, or a broken proxy).
  if (error instanceof undiciErrors.HTTPParserError) return true;
  const code = errorCode(error);
  return code !== undefined && NETWORK_ERROR_CODES.has(code);
}

function errorCode(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
