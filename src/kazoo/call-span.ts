// The OpenTelemetry span of one Crossbar call, through the OpenTelemetry API only: src/kazoo knows nothing of the
// SDK, the server or GraphQL. A call made inside a trace (the active context holds a span: a GraphQL operation's, or
// a client's traceparent) gets a client span, child of that one, with the route template, the last HTTP status, the
// attempts made and, for a read that joined an identical one under way (coalesce.ts), a link to that call's span;
// its traceparent/tracestate go to Kazoo in the request headers. A call outside any trace (a registration watcher's
// poll, the readiness probe) makes none, and without an SDK registered nothing here records or sends anything.
//
// Why the API rather than hooks: the span must exist before the first attempt, so that its id is the `traceparent`
// Kazoo receives, and the context it descends from is the caller's (AsyncLocalStorage), which only the API reads.
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Span, SpanContext } from '@opentelemetry/api';
import { isKazooError } from './errors.js';
import { routeTemplate } from './route-template.js';

/** The instrumentation scope of Crossbar call spans. */
const KAZOO_TRACER_NAME = 'kazoo-graphql-gateway/kazoo';

/** What a call span records of one attempt (client.ts UpstreamAttempt). */
interface AttemptReport {
  readonly status: number | undefined;
  readonly requestId: string;
}

export class CallSpan {
  private attempts = 0;

  private constructor(
    private readonly span: Span,
    /** The caller's context with this span in it: what the request headers carry to Kazoo. */
    private readonly callContext: Context,
  ) {}

  /** The span of a call about to be made, or undefined outside any trace. */
  static start(method: string, path: string, server: URL): CallSpan | undefined {
    const parent = context.active();
    if (trace.getSpanContext(parent) === undefined) return undefined;
    const template = routeTemplate(path);
    const span = trace.getTracer(KAZOO_TRACER_NAME).startSpan(
      `${method} ${template}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'url.template': template,
          'server.address': server.hostname,
          'server.port': Number(server.port || (server.protocol === 'https:' ? 443 : 80)),
        },
      },
      parent,
    );
    return new CallSpan(span, trace.setSpan(parent, span));
  }

  get spanContext(): SpanContext {
    return this.span.spanContext();
  }

  /** Adds the W3C trace-context headers naming this call. */
  inject(headers: Record<string, string>): void {
    propagation.inject(this.callContext, headers);
  }

  attempted(attempt: AttemptReport): void {
    this.attempts += 1;
    if (attempt.status !== undefined) this.span.setAttribute('http.response.status_code', attempt.status);
    // The X-Request-ID Kazoo logs the call under.
    this.span.setAttribute('kazoo.request_id', attempt.requestId);
  }

  /** This read joined `leader`'s identical call instead of being sent. */
  joined(leader: SpanContext | undefined): void {
    this.span.setAttribute('kazoo.coalesced', true);
    if (leader !== undefined) this.span.addLink({ context: leader });
  }

  /** Ends the span when the call settles; the call's outcome passes through unchanged. */
  settle<T>(call: Promise<T>): Promise<T> {
    return call.then(
      (value) => {
        this.end();
        return value;
      },
      (error: unknown) => {
        const type = isKazooError(error) ? error.code : error instanceof Error ? error.name : 'Error';
        this.span.setAttribute('error.type', type);
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: type });
        this.end();
        throw error;
      },
    );
  }

  private end(): void {
    this.span.setAttribute('kazoo.attempts', this.attempts);
    if (this.attempts > 1) this.span.setAttribute('http.request.resend_count', this.attempts - 1);
    this.span.end();
  }
}
