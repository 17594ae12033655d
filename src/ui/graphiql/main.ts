// GraphiQL for the Kazoo gateway, bundled from the graphiql npm package (served on GET /graphql to browsers): example
// tabs, a fetcher that also runs subscriptions over graphql-ws, and in embedded-simulator mode the demo token
// pre-filled under a banner saying so.
import 'graphiql/style.css';
import './graphiql-page.css';
import { createLocalStorage } from '@graphiql/toolkit';
import type { Storage } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { Fragment, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { graphqlWsUrl } from '../shared/endpoint.js';
import { readPageConfig, type GraphiQLPageConfig } from '../shared/page-config.js';
import { exampleTabs, headersFor } from './examples.js';
import { createGatewayFetcher } from './fetcher.js';
import { installMonacoWorkers } from './monaco-workers.js';

const DEMO_NAMESPACE = 'kazoo-gateway-demo';

/**
 * Demo tokens change at every start of the embedded simulator, so demo tabs (headers included) live in their own
 * storage that is emptied whenever the page brings a new token.
 */
function demoStorage(token: string): Storage {
  const storage = createLocalStorage({ namespace: DEMO_NAMESPACE });
  if (storage.getItem('demo-token') !== token) {
    storage.clear();
    storage.setItem('demo-token', token);
  }
  return storage;
}

function demoBanner(demo: NonNullable<GraphiQLPageConfig['demo']>) {
  return createElement(
    'div',
    { className: 'demo-banner', role: 'note' },
    createElement('strong', null, 'Demo'),
    ` — embedded Kazoo simulator. The token in the Headers pane is a throwaway demo token for account ${demo.accountId}. `,
    createElement('a', { href: 'dashboard' }, 'Open the registration dashboard'),
  );
}

const config = readPageConfig<GraphiQLPageConfig>();
installMonacoWorkers(config.workers);

const endpoint = new URL(location.pathname, location.href).href;
const storage = config.demo === null ? undefined : demoStorage(config.demo.token);
const tabs = exampleTabs(config.demo);
// A link may carry an operation to open (GraphiQL's classic `?query=` and `?variables=`): GraphiQL opens it in a tab
// of its own, or switches to the tab that already holds it. It is only shown, never run.
const linked = new URLSearchParams(location.search);
const linkedQuery = linked.get('query');
// On a first visit GraphiQL opens the first default tab but leaves its variables editor empty; hand them over.
const firstVisit = (storage ?? localStorage).getItem('graphiql:tabState') === null;
const opening =
  linkedQuery !== null
    ? { initialQuery: linkedQuery, initialVariables: linked.get('variables') ?? '' }
    : firstVisit
      ? { initialVariables: tabs[0]?.variables ?? '' }
      : {};
const graphiql = createElement(
  GraphiQL,
  {
    fetcher: createGatewayFetcher(endpoint, graphqlWsUrl(endpoint)),
    defaultTabs: tabs,
    defaultHeaders: headersFor(config.demo),
    ...opening,
    defaultEditorToolsVisibility: true,
    // A real token is not written to localStorage unless the user turns that on; the demo token may be.
    shouldPersistHeaders: config.demo !== null,
    ...(storage === undefined ? {} : { storage }),
  },
  createElement(GraphiQL.Logo, null, 'Kazoo GraphQL'),
);

const root = document.getElementById('root');
if (root === null) throw new Error('The page has no #root element');
root.className = 'graphiql-page';
createRoot(root).render(config.demo === null ? graphiql : createElement(Fragment, null, demoBanner(config.demo), graphiql));
