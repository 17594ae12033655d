// Loader keys name a document by account and id, so one request touching several accounts never mixes them up.
export type DocumentKey = `${string}/${string}`;

export function documentKey(accountId: string, id: string): DocumentKey {
  return `${accountId}/${id}`;
}

export function splitDocumentKey(key: DocumentKey): { accountId: string; id: string } {
  const slash = key.indexOf('/');
  return { accountId: key.slice(0, slash), id: key.slice(slash + 1) };
}

/** Groups keys by account, keeping each key's position so a batch answers in the order DataLoader asked. */
export function groupByAccount(keys: readonly DocumentKey[]): Map<string, { id: string; index: number }[]> {
  const groups = new Map<string, { id: string; index: number }[]>();
  keys.forEach((key, index) => {
    const { accountId, id } = splitDocumentKey(key);
    const group = groups.get(accountId) ?? [];
    group.push({ id, index });
    groups.set(accountId, group);
  });
  return groups;
}
