// Which fields a query selects under a field, or on the nodes of a connection (`edges { node { … } }` and
// `nodes { … }`), fragments included, so a resolver can fetch up front what every node or event will ask for. Directives (@skip,
// @include) are not evaluated: fetching something a query then skips costs a call, never a wrong answer.
import { Kind } from 'graphql';
import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

function* fieldsOf(selectionSet: SelectionSetNode | undefined, fragments: Fragments): Generator<FieldNode> {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) yield* fieldsOf(selection.selectionSet, fragments);
    else yield* fieldsOf(fragments[selection.name.value]?.selectionSet, fragments);
  }
}

/** The fields selected directly under the field being resolved. */
export function selectedFields(info: GraphQLResolveInfo): ReadonlySet<string> {
  const names = new Set<string>();
  for (const field of info.fieldNodes) {
    for (const child of fieldsOf(field.selectionSet, info.fragments)) names.add(child.name.value);
  }
  return names;
}

export function connectionNodeFields(info: GraphQLResolveInfo): ReadonlySet<string> {
  const names = new Set<string>();
  const collect = (selectionSet: SelectionSetNode | undefined): void => {
    for (const field of fieldsOf(selectionSet, info.fragments)) names.add(field.name.value);
  };
  for (const connection of info.fieldNodes) {
    for (const field of fieldsOf(connection.selectionSet, info.fragments)) {
      if (field.name.value === 'nodes') collect(field.selectionSet);
      if (field.name.value !== 'edges') continue;
      for (const edgeField of fieldsOf(field.selectionSet, info.fragments)) {
        if (edgeField.name.value === 'node') collect(edgeField.selectionSet);
      }
    }
  }
  return names;
}
