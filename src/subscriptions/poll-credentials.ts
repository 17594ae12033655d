// Which Kazoo token an account's poller uses: the service credential when one is configured and Kazoo lets it read
// the account, otherwise a live subscriber's token (see subscriber-tokens.ts). When Kazoo refuses a token the poller
// reports it here and asks again, getting the next candidate.
import type { ServiceCredential } from './service-credential.js';
import type { SubscriberTokens } from './subscriber-tokens.js';

interface PollCredential {
  token: string;
  source: 'service' | 'subscriber';
}

export type RefusalCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

export class PollCredentials {
  /** Set when Kazoo said 403 to the service credential for this account: it may not read it. */
  private serviceForbidden = false;

  constructor(
    private readonly service: ServiceCredential | undefined,
    private readonly subscribers: SubscriberTokens,
    /** A subscriber's own token was refused: its subscriptions must end with this code. */
    private readonly onSubscriberRefused: (token: string, code: RefusalCode) => void,
  ) {}

  async pick(): Promise<PollCredential | undefined> {
    if (this.service !== undefined && !this.serviceForbidden) {
      try {
        return { token: await this.service.token(), source: 'service' };
      } catch {
        // The login failed (and was logged): fall back to the subscribers' tokens.
      }
    }
    const token = this.subscribers.current();
    return token === undefined ? undefined : { token, source: 'subscriber' };
  }

  refused(credential: PollCredential, code: RefusalCode): void {
    if (credential.source === 'service') {
      if (code === 'FORBIDDEN') this.serviceForbidden = true;
      else this.service?.refused(credential.token);
      return;
    }
    this.subscribers.refuse(credential.token);
    this.onSubscriberRefused(credential.token, code);
  }
}
