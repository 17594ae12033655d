// Crossbar's request envelope, serialized before a call is admitted (before coalescing, the circuit breaker and the
// back-off): a body that cannot become JSON is the caller's mistake, refused as INVALID_ARGUMENT, and never counts as
// Kazoo failing. Nesting is checked first, without recursion beyond the limit, so a 100,000-level document is refused
// at once instead of overflowing the stack inside JSON.stringify.
import { KazooError } from './errors.js';

/** Levels of objects and arrays a body may nest, the envelope included. Kazoo documents are far shallower. */
const MAX_BODY_DEPTH = 64;

/** `{ ...envelope, data }` as JSON, or undefined when the request has no body. */
export function serializeEnvelope(data: unknown, envelope: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (data === undefined && envelope === undefined) return undefined;
  const body = { ...envelope, data: data ?? {} };
  const problem = shapeProblem(body, 1, new Set());
  if (problem !== undefined) throw invalidBody(problem);
  try {
    return JSON.stringify(body);
  } catch (error) {
    // BigInt, a throwing toJSON, a stack overflow in a toJSON-built value...
    throw invalidBody('it holds a value JSON cannot represent', error);
  }
}

/** Why `value` cannot be sent (too deep, or a cycle), or undefined. `ancestors` are the containers above it. */
function shapeProblem(value: unknown, depth: number, ancestors: Set<object>): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > MAX_BODY_DEPTH) return `it nests more than ${MAX_BODY_DEPTH} levels deep`;
  if (ancestors.has(value)) return 'it contains a cycle';
  ancestors.add(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    const problem = shapeProblem(child, depth + 1, ancestors);
    if (problem !== undefined) return problem;
  }
  ancestors.delete(value);
  return undefined;
}

function invalidBody(reason: string, cause?: unknown): KazooError {
  return new KazooError('INVALID_ARGUMENT', `The request body cannot be sent to Kazoo: ${reason}`, { cause });
}
