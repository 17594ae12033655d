// The client kit is for browsers and client apps: at run time it may need nothing but itself (Apollo's and urql's
// helpers are passed in, their types imported as types only), and the gateway never loads it.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** The modules a source file imports at run time (`import type` aside), by specifier. */
function runtimeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+'([^']+)'/gm)].map((match) => match[1] ?? '');
}

const sources = (directory: string): string[] =>
  readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(directory, name));

describe('the client kit', () => {
  it('imports nothing at run time but its own modules', () => {
    const kit = sources(join(SRC, 'client'));
    expect(kit.length).toBeGreaterThan(0);
    for (const file of kit) expect(runtimeImports(file).filter((specifier) => !specifier.startsWith('./')), file).toEqual([]);
  });

  it('is not imported by the gateway', () => {
    const kit = join(SRC, 'client') + sep;
    const intoKit = (file: string, specifier: string): boolean => resolve(dirname(file), specifier).startsWith(kit);
    for (const file of sources(SRC).filter((each) => !each.startsWith(kit))) {
      expect(runtimeImports(file).filter((specifier) => intoKit(file, specifier)), file).toEqual([]);
    }
  });
});
