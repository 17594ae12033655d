// The cost model's estimate for a document, as the gateway computes it before running it: what tests compare with
// the Kazoo calls the simulator then really saw.
import { getOperationAST, parse } from 'graphql';
import { buildGatewaySchema } from '../../src/graphql/schema.js';
import { analyseOperation } from '../../src/server/operation-cost.js';

const schema = buildGatewaySchema();

export function estimatedCalls(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  return analyseOperation(schema, document, operation, variables).cost;
}
