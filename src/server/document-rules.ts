// What a GraphQL document must pass before the operation limits or any resolver see it, over WebSocket exactly as
// Apollo applies it over HTTP (gateway.ts sets Apollo's equivalents from the same settings):
//
// - parsing is bounded by the token limit, and a document nested too deep to parse gets a message of ours rather
//   than the engine's "Maximum call stack size exceeded";
// - fragments expanded, an operation may hold at most `maxSelections` selections. This runs first, on its own,
//   because a few hundred bytes of fragments spreading each other twice expand into billions of selections: any
//   check that expands them (the cost analysis, some validation rules) would freeze the event loop for everybody;
// - graphql's specified rules, plus `noIntrospection` when introspection is off (Apollo is given the same rule);
// - with introspection off, no error suggests names ("Did you mean …?"), which would leak the schema piece by piece.
import { GraphQLError, Kind, parse, specifiedRules, validate } from 'graphql';
import type { DocumentNode, GraphQLSchema, SelectionSetNode, ValidationRule } from 'graphql';

export interface DocumentRules {
  /** Largest document in lexical tokens. */
  maxTokens: number;
  /** Most selections of one operation once its fragments are expanded (Apollo's `maxRecursiveSelections`). */
  maxSelections: number;
  /** Whether `__schema` / `__type` may be asked, and error messages may suggest names. */
  introspection: boolean;
}

/** The message for a document whose nesting overflows the parser's stack. */
export const TOO_DEEP_TO_PARSE = 'The document nests too deeply to be parsed';

export function parseDocument(query: string, rules: DocumentRules): DocumentNode | GraphQLError {
  try {
    return parse(query, { maxTokens: rules.maxTokens });
  } catch (error) {
    const message = error instanceof GraphQLError ? error.message : error instanceof RangeError ? TOO_DEEP_TO_PARSE : 'The document could not be parsed';
    return new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
  }
}

export function validateDocument(schema: GraphQLSchema, document: DocumentNode, rules: DocumentRules): readonly GraphQLError[] {
  const oversized = operationsOverSelections(document, rules.maxSelections);
  if (oversized.length > 0) {
    // Apollo's wording and code for the same refusal over HTTP.
    return oversized.map(
      (name) =>
        new GraphQLError(`${name === undefined ? 'Anonymous operation' : `Operation "${name}"`} recursively requests too many selections.`, {
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
    );
  }
  const errors = validate(schema, document, rules.introspection ? specifiedRules : [...specifiedRules, noIntrospection]);
  return errors.map((error) => {
    const message = rules.introspection ? error.message : withoutSuggestions(error.message);
    return new GraphQLError(message, { nodes: error.nodes, extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
}

/** Refuses `__schema` and `__type` (`__typename` stays: clients need it to tell types apart). */
export const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        new GraphQLError(`Introspection is turned off on this gateway; the document asks for ${node.name.value}`, { nodes: [node] }),
      );
    }
  },
});

/** Apollo's disableSuggestions rule: the hint graphql-js appends to unknown names. */
function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

/**
 * Names of the operations (undefined: anonymous) whose selections, fragments expanded, exceed `limit`. Each fragment
 * is counted once and multiplied by its spreads, so this is linear in the document whatever the expansion; a
 * fragment cycle counts as nothing here (validation refuses it).
 */
function operationsOverSelections(document: DocumentNode, limit: number): (string | undefined)[] {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  }
  const expanded = new Map<string, number | 'counting'>();
  const countSet = (selectionSet: SelectionSetNode): number => {
    let count = 0;
    for (const selection of selectionSet.selections) {
      count++;
      if (selection.kind === Kind.FRAGMENT_SPREAD) count += countFragment(selection.name.value);
      else if (selection.selectionSet !== undefined) count += countSet(selection.selectionSet);
      // Saturate: past the limit the exact number does not matter, and it could outgrow a double's precision.
      if (count > limit) return limit + 1;
    }
    return count;
  };
  const countFragment = (name: string): number => {
    const known = expanded.get(name);
    if (known === 'counting') return 0;
    if (known !== undefined) return known;
    const selectionSet = fragments.get(name);
    if (selectionSet === undefined) return 0;
    expanded.set(name, 'counting');
    const count = countSet(selectionSet);
    expanded.set(name, count);
    return count;
  };
  const oversized: (string | undefined)[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && countSet(definition.selectionSet) > limit) {
      oversized.push(definition.name?.value);
    }
  }
  return oversized;
}
