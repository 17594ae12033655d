// The live registration dashboard (GET /dashboard): sign in with a Kazoo token, load the account's devices, then keep
// them current from registrationChanged(initial: true). Events are applied to the store at once and drawn once per
// frame, so a burst (the initial snapshot of a large account) costs one redraw.
import './dashboard.css';
import type { DashboardPageConfig } from '../../server/use-dashboard.js';
import { graphqlHttpUrl, graphqlWsUrl } from '../shared/endpoint.js';
import { readPageConfig } from '../shared/page-config.js';
import { DEVICE_STATES, DeviceStore } from './device-store.js';
import type { DeviceFilter, DeviceState } from './device-store.js';
import { GatewayClient, GatewayError } from './gateway-client.js';
import { DashboardDevicesDocument, DashboardRegistrationsDocument, DashboardViewerDocument } from './generated/operations.js';
import type { DashboardDeviceFragment, DashboardDevicesQuery } from './generated/operations.js';
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

async function loadDevices(client: GatewayClient, accountId: string): Promise<DashboardDeviceFragment[]> {
  const devices: DashboardDeviceFragment[] = [];
  let after: string | null = null;
  do {
    const result: DashboardDevicesQuery = await client.query(DashboardDevicesDocument, { accountId, after });
    const page = result.devices;
    devices.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null);
  return devices;
}

async function signIn(values: SignInValues): Promise<void> {
  let view: DashboardView | undefined;
  const client = new GatewayClient({
    httpUrl: graphqlHttpUrl(),
    wsUrl: graphqlWsUrl(),
    token: values.token,
    onConnectionState: (state) => view?.setConnection(state),
  });
  let accountId: string;
  let accountLabel: string;
  let devices: DashboardDeviceFragment[];
  try {
    const { viewer } = await client.query(DashboardViewerDocument, {});
    accountId = values.accountId || viewer.accountId;
    accountLabel = accountId === viewer.accountId && viewer.accountName ? `${viewer.accountName} · ${accountId}` : accountId;
    devices = await loadDevices(client, accountId);
  } catch (error) {
    client.close();
    showSignIn(messageOf(error), values);
    return;
  }
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(values));

  const store = new DeviceStore();
  store.replaceAll(devices);
  let unsubscribe = (): void => undefined;
  const signOut = (message: string | null): void => {
    unsubscribe();
    client.close();
    sessionStorage.removeItem(SESSION_KEY);
    showSignIn(message, message === null ? undefined : values);
  };
  const dashboard = new DashboardView(root, {
    accountLabel,
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
    for (const [deviceId, flipped] of pending) {
      const device = store.get(deviceId);
      if (device !== undefined) dashboard.renderDevice(device, flipped);
    }
    if (!listChanged) dashboard.renderSummary(store);
    pending.clear();
    listChanged = false;
  };

  unsubscribe = client.subscribe(
    DashboardRegistrationsDocument,
    { accountId },
    {
      next: ({ registrationChanged: change }) => {
        const outcome = store.apply(change);
        if (outcome === 'ignored') return;
        if (outcome === 'added') listChanged = true;
        pending.set(change.deviceId, (pending.get(change.deviceId) ?? false) || outcome === 'changed');
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
