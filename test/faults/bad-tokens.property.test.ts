// Property: a token no Kazoo could have issued — control characters, characters beyond ASCII, spaces inside, 10 KB —
// in any place a token may be carried (HTTP headers, raw bytes on the socket, every graphql-ws `connection_init` form)
// is refused as unauthenticated by the gateway itself: nothing reaches Kazoo, and however many arrive, the circuit
// breaker stays closed and the instance stays ready (security review D1: four such WebSocket messages used to open
// the breaker for everybody). The review's own reproductions, deep bodies included, are in hostile-clients.test.ts.
import { connect as connectTcp } from 'node:net';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harness.js';
import type { Harness } from '../helpers/harness.js';
import { wsUrl } from '../subscriptions/helpers.js';

let harness: Harness;

beforeAll(async () => {
  // A breaker that would open after three failures: any bad token counted as a Kazoo failure shows at once.
  harness = await startHarness({ gateway: { circuitBreaker: { failureThreshold: 3, openMs: 60_000 } } });
});
afterAll(() => harness.close());

/** Characters Kazoo tokens never hold (they are JWTs or hex), each able to break a header or a log line. */
const badCharacter = fc.constantFrom('\r', '\n', '\r\n', '\u0000', '\u0007', '\u007f', ' ', '\t', '\u00ff', '\u00e9', '\u2603', '\ud83d\ude00');
const badToken = fc.oneof(
  // Always a character after the bad one: HTTP itself trims trailing whitespace, which leaves a well-formed token.
  fc.tuple(fc.string({ maxLength: 20 }), badCharacter, fc.string({ maxLength: 20 })).map(([before, bad, after]) => `x${before}${bad}y${after}`),
  fc.constant(`${'a'.repeat(9_000)}`),
  fc.constant('abc\r\nX-Evil: 1'),
);

/** How graphql-ws answered a `connection_init` carrying `payload`: `ack` or the close code. */
function wsHandshake(payload: Record<string, unknown>): Promise<string> {
  const socket = new WebSocket(wsUrl(harness.gateway.url), 'graphql-transport-ws');
  return new Promise((resolve) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', () => {
      resolve('ack');
      socket.terminate();
    });
    socket.on('close', (code) => resolve(`close ${code}`));
    socket.on('error', () => undefined);
  });
}

/** A request with the token's bytes written to the socket as they are (Latin-1), as a client other than fetch may. */
function rawHttp(header: string, token: string): Promise<number> {
  const { port } = new URL(harness.gateway.url);
  const body = JSON.stringify({ query: '{ viewer { accountId } }' });
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(port), '127.0.0.1', () => {
      socket.write(
        Buffer.from(
          `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n${header}: ${token}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
          'latin1',
        ),
      );
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('tokens no Kazoo could have issued', () => {
  it('are refused in every connection_init form with 4403, without a call to Kazoo', async () => {
    harness.simulator.control.resetRequests();
    await fc.assert(
      fc.asyncProperty(badToken, fc.constantFrom('authToken', 'X-Auth-Token', 'bearer', 'nested'), async (token, carrier) => {
        const payload =
          carrier === 'bearer'
            ? { Authorization: `Bearer ${token}` }
            : carrier === 'nested'
              ? { headers: { 'x-auth-token': token } }
              : { [carrier]: token };
        expect(await wsHandshake(payload)).toBe('close 4403');
      }),
      { numRuns: 40 },
    );
    expect(harness.simulator.control.requests).toEqual([]);
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
  });

  it('are refused over HTTP, whichever header carries them, without a call to Kazoo', async () => {
    harness.simulator.control.resetRequests();
    await fc.assert(
      // A CR or LF written into a header ends it: what follows is another header, not part of the token.
      fc.asyncProperty(badToken.filter((token) => !/[\r\n]/.test(token)), fc.constantFrom('X-Auth-Token', 'Authorization'), async (token, header) => {
        const status = await rawHttp(header, header === 'Authorization' ? `Bearer ${token}` : token);
        // Node's parser refuses some bytes itself (400); everything it lets through the gateway refuses (401 is not
        // GraphQL-over-HTTP's way: an UNAUTHENTICATED error answers 200).
        expect([200, 400, 431]).toContain(status);
      }),
      { numRuns: 40 },
    );
    const forged = await harness.graphql('{ viewer { accountId } }', {}, { token: 'café-token' });
    expect(forged.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(harness.simulator.control.requests).toEqual([]);
    expect((await fetch(`${harness.gateway.url}/readyz`)).status).toBe(200);
  });
});
