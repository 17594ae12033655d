// Tells Monaco (GraphiQL's editor) where its web workers are: the classic-script bundles scripts/build-ui.mjs built
// beside GraphiQL, whose URLs the gateway puts in the page. Must run before the first editor is created.
import type { MonacoWorkerUrls } from '../shared/page-config.js';

interface MonacoEnvironment {
  getWorker(workerId: string, label: string): Worker;
}

export function installMonacoWorkers(workers: MonacoWorkerUrls): void {
  const environment: MonacoEnvironment = {
    getWorker(_workerId, label) {
      const script = label === 'json' ? workers.json : label === 'graphql' ? workers.graphql : workers.editor;
      return new Worker(new URL(script, document.baseURI), { name: `monaco-${label}` });
    },
  };
  Object.assign(globalThis, { MonacoEnvironment: environment });
}
