// `node --import tsx bench/bare-graphql-server.ts --upstream http://127.0.0.1:PORT`: the floor under a GraphQL gateway
// built on graphql-js — the gateway's own schema, resolvers, loaders and Kazoo client behind a bare node:http
// handler: POST /graphql, documents parsed and validated once per query text, `execute` from graphql-js, the answer
// stringified. No Apollo, no limits, no logging, metrics, rate limit or compiled queries. Not a contender (it has none
// of the protections): it shows what GraphQL itself costs on this machine, the stand-in the 0.3 ms goal
// was set against.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { execute, parse, validate } from 'graphql';
import type { DocumentNode } from 'graphql';
import { createContext, tokenFromHeaders } from '../src/graphql/context.js';
import { CursorCodec } from '../src/graphql/pagination.js';
import { buildGatewaySchema } from '../src/graphql/schema.js';
import { KazooClient } from '../src/kazoo/client.js';
import { ListingSizes } from '../src/loaders/index.js';

const { values } = parseArgs({ options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (values.upstream === undefined) throw new Error('--upstream URL is required');
const client = new KazooClient({ baseUrl: values.upstream, timeoutMs: 10_000 });
const schema = buildGatewaySchema();
const cursors = CursorCodec.withRandomKey();
const listingSizes = new ListingSizes();
const documents = new Map<string, DocumentNode>();

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    void (async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
      let document = documents.get(body.query);
      if (document === undefined) {
        document = parse(body.query);
        const errors = validate(schema, document);
        if (errors.length > 0) throw errors[0];
        documents.set(body.query, document);
      }
      const token = tokenFromHeaders(request.headers);
      const result = await execute({ schema, document, variableValues: body.variables, contextValue: createContext(client, cursors, listingSizes, token) });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(result));
    })().catch((error: unknown) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] }));
    });
  });
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`bare graphql-js listening on http://127.0.0.1:${port}/graphql\n`);
});

const stop = (): void => {
  server.close();
  void client.destroy().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
