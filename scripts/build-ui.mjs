// Builds the browser UI into dist/ui at build time: GraphiQL (graphiql 5 with its Monaco web workers) and the
// registration dashboard, bundled by esbuild from npm packages so that the pages need nothing from any outside host.
// Writes dist/ui/manifest.json (what each page loads, and the trusted documents the pages send by id, from codegen's
// src/ui/generated/persisted-documents.json; the server reads it), .gz/.br siblings the server sends to
// browsers that accept them, and the sizes of every file, raw and gzipped (sizes.json; the totals are printed).
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'dist', 'ui');

/** Browsers the pages support: the last few years of evergreen browsers (Monaco needs no less). */
const target = ['es2022', 'chrome111', 'edge111', 'firefox111', 'safari16'];

const common = {
  bundle: true,
  minify: true,
  platform: 'browser',
  target,
  logLevel: 'warning',
  metafile: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  // Every file name carries its content hash, so the server can let browsers cache assets forever.
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
};

/**
 * graphiql/style.css already holds Monaco's styles (fonts inlined as data URIs); Monaco's ESM sources also import
 * their own CSS files one by one. Those imports are dropped so the styles are not shipped twice, and so lazily loaded
 * chunks do not carry CSS that no page would load.
 */
const dropMonacoCss = {
  name: 'drop-monaco-css',
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, (args) =>
      args.importer.includes(`${sep}node_modules${sep}monaco-editor${sep}`)
        ? { path: args.path, namespace: 'monaco-css' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'monaco-css' }, () => ({ contents: '', loader: 'empty' }));
  },
};

/** The public path of a built file, relative to the page (pages live at /graphql and /dashboard). */
const publicPath = (file) => `ui/${relative(outRoot, file).split(sep).join('/')}`;

/** Entry outputs of one build: the `.js` file of each entry point and the `.css` file esbuild made beside it. */
function entryOutputs(result, entryName) {
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (output.entryPoint !== undefined && file.split('/').pop().startsWith(`${entryName}-`) && file.endsWith('.js')) {
      return { script: publicPath(join(root, file)), style: output.cssBundle && publicPath(join(root, output.cssBundle)) };
    }
  }
  throw new Error(`esbuild produced no output for entry ${entryName}`);
}

async function buildGraphiQL() {
  const outdir = join(outRoot, 'graphiql');
  const app = await esbuild.build({
    ...common,
    entryPoints: { graphiql: join(root, 'src/ui/graphiql/main.ts') },
    outdir,
    format: 'esm',
    splitting: true,
    plugins: [dropMonacoCss],
  });
  // Monaco runs its language services in web workers; each is its own classic-script bundle.
  const workers = await esbuild.build({
    ...common,
    entryPoints: {
      'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
      'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
      'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
    },
    outdir: join(outdir, 'workers'),
    format: 'iife',
    plugins: [dropMonacoCss],
  });
  const main = entryOutputs(app, 'graphiql');
  return {
    scripts: [main.script],
    styles: main.style ? [main.style] : [],
    workers: {
      editor: entryOutputs(workers, 'editor.worker').script,
      json: entryOutputs(workers, 'json.worker').script,
      graphql: entryOutputs(workers, 'graphql.worker').script,
    },
  };
}

async function buildDashboard() {
  const result = await esbuild.build({
    ...common,
    entryPoints: { dashboard: join(root, 'src/ui/dashboard/main.ts') },
    outdir: join(outRoot, 'dashboard'),
    format: 'esm',
  });
  const main = entryOutputs(result, 'dashboard');
  return { scripts: [main.script], styles: main.style ? [main.style] : [] };
}

async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Writes .gz and .br beside every text asset and returns each file's raw and gzipped size. */
async function compressAll() {
  const sizes = [];
  for (const file of await filesUnder(outRoot)) {
    if (!/\.(js|css|json|svg|txt)$/.test(file)) continue;
    const raw = await readFile(file);
    const gzipped = gzipSync(raw, { level: 9 });
    const brotli = brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } });
    await writeFile(`${file}.gz`, gzipped);
    await writeFile(`${file}.br`, brotli);
    sizes.push({ file: relative(outRoot, file).split(sep).join('/'), raw: raw.length, gzip: gzipped.length });
  }
  return sizes;
}

/** Prints each page's entry files and totals; every file's sizes go to dist/ui/sizes.json. */
function printSizes(sizes, manifest) {
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  const line = (label, size) => `  ${label.padEnd(44)} ${kib(size.raw).padStart(11)} ${kib(size.gzip).padStart(11)} gzip`;
  const total = (list) => list.reduce((sum, size) => ({ raw: sum.raw + size.raw, gzip: sum.gzip + size.gzip }), { raw: 0, gzip: 0 });
  const lines = [];
  for (const part of ['dashboard', 'graphiql']) {
    const entries = [...manifest[part].scripts, ...manifest[part].styles].map((path) => path.replace(/^ui\//, ''));
    for (const size of sizes.filter((each) => entries.includes(each.file))) lines.push(line(size.file, size));
    const files = sizes.filter((size) => size.file.startsWith(`${part}/`));
    lines.push(line(`${part}: all ${files.length} files`, total(files)));
  }
  process.stdout.write(`UI bundles:\n${lines.join('\n')}\n`);
}

const started = Date.now();
await rm(outRoot, { recursive: true, force: true });
await mkdir(outRoot, { recursive: true });
const [graphiql, dashboard] = await Promise.all([buildGraphiQL(), buildDashboard()]);
const sizes = await compressAll();
const trustedDocuments = JSON.parse(await readFile(join(root, 'src/ui/generated/persisted-documents.json'), 'utf8'));
const manifest = { graphiql, dashboard, trustedDocuments };
await writeFile(join(outRoot, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
await writeFile(join(outRoot, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
printSizes(sizes, manifest);
process.stdout.write(`Built the UI into ${relative(root, outRoot)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
