// The documents the gateway has parsed and validated, shared by every transport: HTTP through Apollo Server's
// `documentStore` (Apollo looks a query up by its SHA-256 before parsing it), WebSocket through `prepare`. A thousand
// dashboards subscribing with one document share one AST, one validation and one cost analysis per variable set;
// the shared AST is also what compiled queries (use-compiled-execution.ts) and shared subscription executions
// (subscribe-with-fresh-loaders.ts) are keyed by. Least recently used documents go first.
// Trusted documents (trusted-documents.ts) are known query texts: a request may name one by `documentId` instead of
// sending its text (`sourceOf`), and in trusted-only mode no other text is accepted.
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { parseDocument, validateDocument } from './document-rules.js';
import type { DocumentRules } from './document-rules.js';
import { analyseOperation } from './operation-cost.js';
import type { CostKnowledge, OperationAnalysis } from './operation-cost.js';

/** Distinct documents kept (Apollo's own default store holds about as many in 30 MB). */
const MAX_DOCUMENTS = 1_000;
/** Variable sets whose analysis is kept per operation: a screen re-sends the same few. */
const MAX_ANALYSES_PER_OPERATION = 16;
/** Variables longer than this as JSON (a write's input) are analysed every time rather than keyed by their text. */
const MAX_ANALYSIS_KEY_LENGTH = 1_024;

interface Entry {
  document: DocumentNode | undefined;
  errors: readonly GraphQLError[];
}

/** The query texts clients may name by `documentId` (by SHA-256 of the text, hex); `only`: no other text runs. */
export interface TrustedDocumentsPolicy {
  documents: ReadonlyMap<string, string>;
  only: boolean;
}

/** What a request names to run, as its transport received it: query text, or a document id (not both). */
export interface DocumentRequest {
  readonly query?: unknown;
  readonly documentId?: unknown;
}

/** The query text a request runs, or why it may not (a request error, refused before parsing). */
export type DocumentSource = { query: string; error?: undefined } | { query?: undefined; error: GraphQLError };

/** GraphQL over HTTP's SHA-256 document id (`sha256:` and 64 lower-case hex digits), whose hex is the registry's key. */
const SHA256_DOCUMENT_ID = /^sha256:([0-9a-f]{64})$/;

export type PreparedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

/** The part of Apollo's KeyValueCache its `documentStore` option uses. */
export interface ApolloDocumentStore {
  get(key: string): Promise<DocumentNode | undefined>;
  set(key: string, value: DocumentNode): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export function queryHash(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

export class DocumentRegistry {
  /** By SHA-256 of the query text, hex (Apollo's queryHash); Map order is recency order. */
  readonly #entries = new Map<string, Entry>();
  readonly #analyses = new WeakMap<OperationDefinitionNode, Map<string, OperationAnalysis>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: DocumentRules,
    private readonly trusted: TrustedDocumentsPolicy = { documents: new Map(), only: false },
  ) {}

  /**
   * The query text a request runs: the trusted document its `documentId` names, or its own `query` text (in
   * trusted-only mode, only when that text is a trusted document's). Undefined when it names neither (an empty
   * query): the transport answers that as it always has (over HTTP, Apollo's APQ or its missing-query error).
   */
  sourceOf(request: DocumentRequest): DocumentSource | undefined {
    const query = typeof request.query === 'string' && request.query !== '' ? request.query : undefined;
    if (request.documentId !== undefined) {
      if (typeof request.documentId !== 'string') return { error: badRequest('documentId must be a string') };
      if (query !== undefined) return { error: badRequest('Send either a query or a documentId, not both') };
      const hash = SHA256_DOCUMENT_ID.exec(request.documentId)?.[1];
      const text = hash === undefined ? undefined : this.trusted.documents.get(hash);
      if (text === undefined) {
        return {
          // The id is not echoed: it is whatever the client sent, of any length.
          error: new GraphQLError('No trusted document has this documentId (a sha256: id of the manifest)', {
            extensions: { code: 'PERSISTED_DOCUMENT_NOT_FOUND', http: { status: 404 } },
          }),
        };
      }
      return { query: text };
    }
    if (query === undefined) return undefined;
    if (this.trusted.only && !this.trusted.documents.has(queryHash(query))) {
      return {
        error: new GraphQLError('This gateway runs trusted documents only: send the documentId of a document in its manifest', {
          extensions: { code: 'PERSISTED_DOCUMENT_REQUIRED', http: { status: 400 } },
        }),
      };
    }
    return { query };
  }

  /** The parsed and validated document of a query, or why it is refused (refusals are kept too: a retry costs nothing). */
  prepare(query: string): PreparedDocument {
    const hash = queryHash(query);
    const known = this.#get(hash);
    if (known !== undefined) return known.document === undefined ? { errors: known.errors } : { document: known.document };
    const parsed = parseDocument(query, this.rules);
    if (!('kind' in parsed)) {
      this.#set(hash, { document: undefined, errors: [parsed] });
      return { errors: [parsed] };
    }
    const errors = validateDocument(this.schema, parsed, this.rules);
    this.#set(hash, errors.length === 0 ? { document: parsed, errors } : { document: undefined, errors });
    return errors.length === 0 ? { document: parsed } : { errors };
  }

  /**
   * The cost analysis of an operation with these variables and this knowledge, computed once per document, variable
   * set, token account and state of the learned listing sizes (their version changes only when a count of pages does).
   */
  analyse(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>> | undefined,
    known: CostKnowledge = {},
  ): OperationAnalysis {
    const variablesKey = operation.variableDefinitions?.length ? analysisKey(variables) : '';
    if (variablesKey === undefined) return analyseOperation(this.schema, document, operation, variables, known);
    const key = `${known.tokenAccountId ?? ''}|${known.listingSizes?.version ?? 0}|${variablesKey}`;
    let byVariables = this.#analyses.get(operation);
    if (byVariables === undefined) {
      byVariables = new Map();
      this.#analyses.set(operation, byVariables);
    }
    const remembered = byVariables.get(key);
    if (remembered !== undefined) return remembered;
    const analysis = analyseOperation(this.schema, document, operation, variables, known);
    if (byVariables.size >= MAX_ANALYSES_PER_OPERATION) byVariables.delete(byVariables.keys().next().value as string);
    byVariables.set(key, analysis);
    return analysis;
  }

  /**
   * For Apollo Server's `documentStore`. Its keys are `<schema hash>:<query hash>`; it stores a document only once
   * it validated, with Apollo's rules, which are these rules (gateway.ts configures both from one DocumentRules).
   */
  readonly apolloStore: ApolloDocumentStore = {
    get: async (key) => this.#get(hashOf(key))?.document,
    set: async (key, value) => {
      this.#set(hashOf(key), { document: value, errors: [] });
    },
    delete: async (key) => this.#entries.delete(hashOf(key)),
  };

  #get(hash: string): Entry | undefined {
    const entry = this.#entries.get(hash);
    if (entry !== undefined) {
      this.#entries.delete(hash);
      this.#entries.set(hash, entry);
    }
    return entry;
  }

  #set(hash: string, entry: Entry): void {
    this.#entries.delete(hash);
    this.#entries.set(hash, entry);
    if (this.#entries.size > MAX_DOCUMENTS) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}

/** The variables as a memo key; undefined for those not worth keying (long, or too deep to even stringify). */
function analysisKey(variables: Readonly<Record<string, unknown>> | undefined): string | undefined {
  let key: string;
  try {
    key = JSON.stringify(variables ?? {});
  } catch {
    return undefined;
  }
  return key.length > MAX_ANALYSIS_KEY_LENGTH ? undefined : key;
}

function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

function hashOf(apolloKey: string): string {
  return apolloKey.slice(apolloKey.lastIndexOf(':') + 1);
}
