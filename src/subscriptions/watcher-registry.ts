// One watch per account on this gateway instance (of one topic), shared by all the account's subscribers
// (refcounted): the first subscriber starts it, the last one to leave stops it, however many clients come and go in
// between.
import { context, ROOT_CONTEXT } from '@opentelemetry/api';

interface Watch {
  close(): Promise<void>;
}

type WatchFactory<W extends Watch> = (accountId: string, after: Promise<void>) => W;

export class WatcherRegistry<W extends Watch> {
  private readonly watches = new Map<string, { watch: W; joined: number }>();
  /** Watches being closed, so a new watch of the same account starts after the old one let go of its lease. */
  private readonly closing = new Map<string, Promise<void>>();

  constructor(private readonly createWatch: WatchFactory<W>) {}

  join(accountId: string): W {
    const entry = this.watches.get(accountId);
    if (entry !== undefined) {
      entry.joined += 1;
      return entry.watch;
    }
    // Outside the trace of the subscription that starts it: its polls serve every subscriber, for as long as any is
    // left, and must not all become children of that one operation's span.
    const after = this.closing.get(accountId) ?? Promise.resolve();
    const watch = context.with(ROOT_CONTEXT, () => this.createWatch(accountId, after));
    this.watches.set(accountId, { watch, joined: 1 });
    return watch;
  }

  leave(accountId: string, watch: W): void {
    const entry = this.watches.get(accountId);
    if (entry === undefined || entry.watch !== watch) return;
    entry.joined -= 1;
    if (entry.joined > 0) return;
    this.watches.delete(accountId);
    const closed = watch.close().finally(() => {
      if (this.closing.get(accountId) === closed) this.closing.delete(accountId);
    });
    this.closing.set(accountId, closed);
  }

  get accountCount(): number {
    return this.watches.size;
  }

  async close(): Promise<void> {
    const open = [...this.watches.values()].map(({ watch }) => watch.close());
    this.watches.clear();
    await Promise.all([...open, ...this.closing.values()]);
  }
}
