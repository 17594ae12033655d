// The live registration dashboard (GET /dashboard): sign in with a Kazoo token, load the account (the token's own
// unless the form names another) with its counts and devices in one query, then keep them current from
// registrationChanged(initial: true). A field Kazoo could not answer (registrations, owners, counts) does not stop
// the page: it shows what it has, with a notice. Events are applied to the store at once and drawn once per frame,
// so a burst (the initial snapshot of a large account) costs one redraw.
import './dashboard.css';
import { graphqlHttpUrl, graphqlWsUrl } from '../shared/endpoint.js';
import { readPageConfig, type DashboardPageConfig } from '../shared/page-config.js';
import { DEVICE_STATES, DeviceStore } from './device-store.js';
import type { DeviceCounts, DeviceFilter, DeviceState } from './device-store.js';
import { GatewayClient, GatewayError, errorAt } from './gateway-client.js';
import { DashboardAccountDocument, DashboardMoreDevicesDocument, DashboardRegistrationsDocument } from '../generated/graphql.js';
import type { DashboardDeviceFragment } from '../generated/graphql.js';
import { DashboardView, renderSignIn } from './view.js';
import type { SignInValues } from './view.js';

/** Kept for the browser tab only (a reload stays signed in; closing the tab signs out). */
const SESSION_KEY = 'kazoo-dashboard:session';

const config = readPageConfig<DashboardPageConfig>();
const rootElement = document.getElementById('root');
if (rootElement === null) throw new Error('The page has no #root element');
const root: HTMLElement = rootElement;
root.className = 'dashboard';

function messageOf(error: unknown): string {
  if (!(error instanceof GatewayError)) return 'Something went wrong; see the browser console.';
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 'Kazoo did not accept the token (wrong or expired). Sign in again.';
    case 'FORBIDDEN':
      return 'This token may not read that account.';
    case 'BAD_USER_INPUT':
      return 'That is not an account id: give an Account id or a Kazoo account id, or leave it empty.';
    case 'NETWORK_ERROR':
      return 'The gateway cannot be reached.';
    default:
      return error.message;
  }
}

function storedSession(): SignInValues | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as SignInValues | null;
    return typeof stored?.token === 'string' && typeof stored.accountId === 'string' ? stored : null;
  } catch {
    return null;
  }
}

/** The filter lives in the URL (`?type=softphone&state=registered`), so a wall screen can be bookmarked with it. */
function filterFromUrl(): DeviceFilter {
  const params = new URLSearchParams(location.search);
  const state = params.get('state');
  return {
    type: params.get('type') || null,
    state: DEVICE_STATES.includes(state as DeviceState) ? (state as DeviceState) : null,
  };
}

function saveFilterToUrl(filter: DeviceFilter): void {
  const params = new URLSearchParams();
  if (filter.type !== null) params.set('type', filter.type);
  if (filter.state !== null) params.set('state', filter.state);
  const search = params.toString();
  history.replaceState(null, '', search === '' ? location.pathname : `?${search}`);
}

function showSignIn(error: string | null, values?: SignInValues): void {
  renderSignIn(root, {
    values: values ?? { token: config.demo?.token ?? '', accountId: config.demo?.accountId ?? '' },
    demoAccountId: config.demo?.accountId ?? null,
    error,
    onSubmit: (submitted) => void signIn(submitted),
  });
}

/** What the fields Kazoo could not answer are, in the notice. */
const FIELD_NAMES: Record<string, string> = {
  registration: 'registration states',
  owner: 'owners',
  registrationSummary: 'counts',
  name: 'the account name',
};

/** The notice for a page loaded with gaps: which fields failed, and why, once each. */
function gapsNotice(errors: readonly GatewayError[]): string | null {
  if (errors.length === 0) return null;
  const gaps = errors.map((error) => {
    const field = error.path.findLast((segment): segment is string => typeof segment === 'string') ?? 'data';
    return `${FIELD_NAMES[field] ?? field} (${error.message})`;
  });
  return `Kazoo could not answer everything when the page loaded: ${[...new Set(gaps)].join('; ')}. Unknown values say so; reload to try again.`;
}

interface LoadedAccount {
  /** The Account's global id, for the subscription (and further pages). */
  id: string;
  label: string;
  devices: DashboardDeviceFragment[];
  summary: DeviceCounts | null;
  /** What Kazoo could not answer: the failed fields are null. */
  errors: GatewayError[];
}

/** The account with its counts and first page, then the further pages; throws when the devices cannot be listed. */
async function loadAccount(client: GatewayClient, accountId: string | null): Promise<LoadedAccount> {
  const first = await client.query(DashboardAccountDocument, { accountId });
  const { account } = first.data;
  if (account === null) throw errorAt(first.errors, ['account']);
  if (account.devices === null) throw errorAt(first.errors, ['account', 'devices']);
  const errors = [...first.errors];
  const devices = [...account.devices.nodes];
  let { pageInfo } = account.devices;
  while (pageInfo.hasNextPage && pageInfo.endCursor !== null) {
    const more = await client.query(DashboardMoreDevicesDocument, { accountId: account.id, after: pageInfo.endCursor });
    const page = more.data.account?.devices;
    if (page == null) throw errorAt(more.errors, ['account', 'devices']);
    errors.push(...more.errors);
    devices.push(...page.nodes);
    pageInfo = page.pageInfo;
  }
  return {
    id: account.id,
    label: account.name === null ? account.kazooId : `${account.name} · ${account.kazooId}`,
    devices,
    summary: account.registrationSummary,
    errors,
  };
}

async function signIn(values: SignInValues): Promise<void> {
  let view: DashboardView | undefined;
  const client = new GatewayClient({
    httpUrl: graphqlHttpUrl(),
    wsUrl: graphqlWsUrl(),
    token: values.token,
    onConnectionState: (state) => view?.setConnection(state),
  });
  let account: LoadedAccount;
  try {
    account = await loadAccount(client, values.accountId || null);
  } catch (error) {
    client.close();
    showSignIn(messageOf(error), values);
    return;
  }
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(values));

  const store = new DeviceStore();
  store.replaceAll(account.devices, account.summary);
  let unsubscribe = (): void => undefined;
  const signOut = (message: string | null): void => {
    unsubscribe();
    client.close();
    sessionStorage.removeItem(SESSION_KEY);
    showSignIn(message, message === null ? undefined : values);
  };
  const dashboard = new DashboardView(root, {
    accountLabel: account.label,
    notice: gapsNotice(account.errors),
    demoAccountId: config.demo?.accountId ?? null,
    filter: filterFromUrl(),
    onFilter: (filter) => {
      saveFilterToUrl(filter);
      dashboard.renderSummary(store);
    },
    onSignOut: () => signOut(null),
  });
  view = dashboard;
  dashboard.renderAll(store);

  // Devices touched since the last frame, and whether each flipped state (to highlight it).
  const pending = new Map<string, boolean>();
  let listChanged = false;
  let frame = 0;
  const flush = (): void => {
    frame = 0;
    if (listChanged) dashboard.renderAll(store);
    for (const [id, flipped] of pending) {
      const device = store.get(id);
      if (device !== undefined) dashboard.renderDevice(device, flipped);
    }
    if (!listChanged) dashboard.renderSummary(store);
    pending.clear();
    listChanged = false;
  };

  unsubscribe = client.subscribe(
    DashboardRegistrationsDocument,
    { accountId: account.id },
    {
      next: ({ registrationChanged: change }) => {
        const applied = store.apply(change);
        if (applied === null) return;
        const { id } = applied.device;
        if (applied.kind === 'added') listChanged = true;
        pending.set(id, (pending.get(id) ?? false) || applied.kind === 'changed');
        dashboard.markUpdated(new Date(change.at));
        dashboard.showError(null);
        if (frame === 0) frame = requestAnimationFrame(flush);
      },
      error: (error) => {
        if (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN') signOut(messageOf(error));
        else dashboard.showError(`Live updates stopped: ${messageOf(error)} Reload the page to retry.`);
      },
    },
  );
}

const session = storedSession();
if (session === null) showSignIn(null);
else {
  root.textContent = 'Signing in…';
  void signIn(session);
}
