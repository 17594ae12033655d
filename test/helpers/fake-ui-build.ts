// A stand-in for dist/ui in unit tests: a manifest and a few files in a temporary folder (with a file beside it that
// must never be served), so the server tests need no real UI build.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { UiManifest } from '../../src/server/ui-build.js';

export interface FakeUiBuild {
  /** The folder to pass as `uiDir`. */
  dir: string;
  manifest: UiManifest;
  /** What the GraphiQL script file holds. */
  graphiqlScript: string;
  remove(): void;
}

export function createFakeUiBuild(): FakeUiBuild {
  const parent = mkdtempSync(join(tmpdir(), 'ui-build-'));
  const dir = join(parent, 'ui');
  const manifest: UiManifest = {
    graphiql: {
      scripts: ['ui/graphiql/graphiql-AAAA1111.js'],
      styles: ['ui/graphiql/graphiql-BBBB2222.css'],
      workers: {
        editor: 'ui/graphiql/workers/editor.worker-CCCC3333.js',
        json: 'ui/graphiql/workers/json.worker-DDDD4444.js',
        graphql: 'ui/graphiql/workers/graphql.worker-EEEE5555.js',
      },
    },
    dashboard: { scripts: ['ui/dashboard/dashboard-FFFF6666.js'], styles: ['ui/dashboard/dashboard-GGGG7777.css'] },
  };
  const graphiqlScript = `console.log(${JSON.stringify('graphiql '.repeat(200))});\n`;
  const files: Record<string, string> = {
    'graphiql/graphiql-AAAA1111.js': graphiqlScript,
    'graphiql/graphiql-BBBB2222.css': 'body { margin: 0 }\n',
    'graphiql/workers/editor.worker-CCCC3333.js': 'self.onmessage = () => {};\n',
    'graphiql/workers/json.worker-DDDD4444.js': 'self.onmessage = () => {};\n',
    'graphiql/workers/graphql.worker-EEEE5555.js': 'self.onmessage = () => {};\n',
    'dashboard/dashboard-FFFF6666.js': 'document.title = "dashboard";\n',
    'dashboard/dashboard-GGGG7777.css': '.dashboard { color: red }\n',
    'manifest.json': JSON.stringify(manifest),
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  writeFileSync(join(dir, 'graphiql/graphiql-AAAA1111.js.gz'), gzipSync(graphiqlScript));
  writeFileSync(join(parent, 'secret.txt'), 'not for the web\n');
  return { dir, manifest, graphiqlScript, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
