// The gateway's own Kazoo login for polling registrations (KAZOO_API_KEY, or KAZOO_USERNAME + KAZOO_PASSWORD +
// KAZOO_ACCOUNT_NAME). It logs in on first use and again once most of the token's lifetime has passed, so a poll
// never goes out with a token about to expire. Tokens are never logged.
import * as auth from '../kazoo/auth.js';
import type { KazooClient } from '../kazoo/client.js';
import { isKazooError, KazooError } from '../kazoo/errors.js';
import type { Logger } from '../logger.js';

export type ServiceLogin = { apiKey: string } | { username: string; password: string; accountName: string };

/** Log in again after this share of the token's lifetime (48 minutes of Kazoo's default hour). */
const RENEW_AFTER_SHARE = 0.8;
/** After a failed login, wait this long before trying again, so a wrong key cannot hammer Kazoo's auth. */
const LOGIN_RETRY_MS = 30_000;

interface HeldToken {
  token: string;
  renewAt: number;
  expiresAt: number;
}

export class ServiceCredential {
  private held: HeldToken | undefined;
  private loggingIn: Promise<string> | undefined;
  private retryLoginAt = 0;

  constructor(
    private readonly client: KazooClient,
    private readonly login: ServiceLogin,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token to poll with, logging in first when there is none or it is due for renewal. */
  async token(): Promise<string> {
    const held = this.held;
    const now = this.now();
    if (held !== undefined && now < held.renewAt) return held.token;
    if (now < this.retryLoginAt) {
      // The last login failed: keep using the old token while Kazoo still accepts it.
      if (held !== undefined && now < held.expiresAt) return held.token;
      throw new KazooError('UNAUTHENTICATED', 'The service credential could not log in to Kazoo');
    }
    this.loggingIn ??= this.logIn().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  /** Kazoo refused `token` (revoked, or clocks disagree): the next `token()` logs in again. */
  refused(token: string): void {
    if (this.held?.token === token) this.held = undefined;
  }

  private async logIn(): Promise<string> {
    try {
      const login =
        'apiKey' in this.login
          ? await auth.withApiKey(this.client, this.login.apiKey)
          : await auth.withCredentials(this.client, this.login);
      const issuedAt = this.now();
      const expiresAt = login.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
      this.held = {
        token: login.token,
        expiresAt,
        renewAt: issuedAt + Math.max(0, expiresAt - issuedAt) * RENEW_AFTER_SHARE,
      };
      this.logger.info(
        { accountId: login.data.account_id, expiresAt: login.expiresAt?.toISOString() },
        'service credential logged in to Kazoo',
      );
      return login.token;
    } catch (error) {
      this.retryLoginAt = this.now() + LOGIN_RETRY_MS;
      this.logger.warn(
        { code: isKazooError(error) ? error.code : 'INTERNAL', retryInMs: LOGIN_RETRY_MS },
        "service credential could not log in to Kazoo; polling with subscribers' tokens meanwhile",
      );
      const held = this.held;
      if (held !== undefined && this.now() < held.expiresAt) return held.token;
      throw error;
    }
  }
}
