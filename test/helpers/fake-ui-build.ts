// A stand-in for dist/ui in unit tests: a manifest (with the pages' real trusted documents) and a few files in a
// temporary folder (with a file beside it that must never be served), so the server tests need no real UI build.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createLogger } from '../../src/logger.js';
import { startGateway } from '../../src/server/gateway.js';
import type { Gateway, GatewayOptions } from '../../src/server/gateway.js';
import type { UiManifest } from '../../src/server/ui-build.js';

/** codegen's manifest of the pages' documents, which the real build copies into its manifest.json. */
export const UI_TRUSTED_DOCUMENTS = fileURLToPath(new URL('../../src/ui/generated/persisted-documents.json', import.meta.url));

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
    trustedDocuments: JSON.parse(readFileSync(UI_TRUSTED_DOCUMENTS, 'utf8')) as Record<string, string>,
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

export interface UiTestGateways {
  readonly ui: FakeUiBuild;
  /** A gateway serving the fake build, whose Kazoo is never called: for tests that ask for pages and assets. */
  start(options?: Partial<GatewayOptions>): Promise<Gateway>;
  /** A gateway with no UI build at all (an empty folder). */
  startUnbuilt(options?: Partial<GatewayOptions>): Promise<Gateway>;
  /** Closes every gateway started and removes the folders. */
  close(): Promise<void>;
}

export function uiTestGateways(): UiTestGateways {
  const ui = createFakeUiBuild();
  const gateways: Gateway[] = [];
  const empty = mkdtempSync(join(tmpdir(), 'no-ui-'));
  const start = async (options: Partial<GatewayOptions> = {}): Promise<Gateway> => {
    const started = await startGateway({
      kazooUrl: 'http://127.0.0.1:9',
      port: 0,
      host: '127.0.0.1',
      kazooTimeoutMs: 1_000,
      maxBodyBytes: 65_536,
      introspection: true,
      logger: createLogger('silent'),
      uiDir: ui.dir,
      ...options,
    });
    gateways.push(started);
    return started;
  };
  return {
    ui,
    start,
    startUnbuilt: (options = {}) => start({ ...options, uiDir: empty }),
    async close() {
      await Promise.all(gateways.map((started) => started.close()));
      ui.remove();
      rmSync(empty, { recursive: true, force: true });
    },
  };
}
