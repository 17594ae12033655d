// The walls between the layers (README, "Where things are"): the Kazoo client knows nothing of GraphQL, the server or
// the live layer; the live layer knows nothing of GraphQL or the server (the GraphQL layer imports it, never the
// other way round); and the simulator is reached only by the start-up code that embeds it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Each source file (relative to src/) with the src/ folders (or files) its relative imports reach. */
const imports = sourceFiles(SRC).map((file) => {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm)];
  const targets = specifiers.map((match) =>
    relative(SRC, resolve(dirname(file), match[1] ?? match[2] ?? '')),
  );
  return { file: relative(SRC, file), targets };
});

function crossings(from: string, forbidden: readonly string[]): string[] {
  return imports
    .filter(({ file }) => file.startsWith(`${from}/`))
    .flatMap(({ file, targets }) =>
      targets.filter((target) => forbidden.some((folder) => target.startsWith(`${folder}/`))).map((target) => `${file} -> ${target}`),
    );
}

describe('layer walls', () => {
  it('keeps src/kazoo free of GraphQL, the server, the loaders, the live layer and the simulator', () => {
    expect(crossings('kazoo', ['graphql', 'server', 'loaders', 'subscriptions', 'simulator', 'ui'])).toEqual([]);
  });

  it('keeps the live layer (src/subscriptions) and the loaders free of GraphQL and the server', () => {
    expect(crossings('subscriptions', ['graphql', 'server', 'simulator', 'ui'])).toEqual([]);
    expect(crossings('loaders', ['graphql', 'server', 'subscriptions', 'simulator', 'ui'])).toEqual([]);
  });

  it('lets only the start-up code import the simulator', () => {
    const importers = imports
      .filter(({ file, targets }) => !file.startsWith('simulator/') && targets.some((target) => target.startsWith('simulator/')))
      .map(({ file }) => file);
    expect(importers).toEqual(['main.ts']);
  });
});
