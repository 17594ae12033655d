// The dashboard's DOM: the sign-in form and the live view (connection state, counts, filters, the devices table).
// Rows are kept per device (by its global id) and updated in place, so an event touches one row, not the whole table.
import { DEVICE_STATES, matchesFilter, rowStateOf, typeLabelOf } from './device-store.js';
import type { DeviceFilter, DeviceState, DeviceStore, RowState } from './device-store.js';
import { find, h } from './dom.js';
import type { ConnectionState } from './gateway-client.js';
import type { DashboardDeviceFragment } from '../generated/graphql.js';

const STATE_LABELS: Record<RowState, string> = {
  registered: 'Registered',
  unregistered: 'Unregistered',
  disabled: 'Disabled',
  unknown: 'Unknown',
};

/** What each count counts, as registrationSummary does: registered and unregistered add up to every device. */
const COUNT_TITLES: Record<DeviceState, string> = {
  registered: 'Enabled devices registered now. Click to show only them.',
  unregistered: 'Enabled devices not registered now. Click to show only them.',
  disabled: 'Disabled devices, registered or not. Click to show only them.',
};

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** How long a device that changed state stays highlighted. */
const HIGHLIGHT_MS = 4_000;

const demoNote = (accountId: string): HTMLElement =>
  h(
    'p',
    { class: 'demo-note', role: 'note' },
    h('strong', {}, 'Demo'),
    ` — embedded Kazoo simulator: a throwaway demo token for account ${accountId} is filled in, and phones register and lapse on their own.`,
  );

export interface SignInValues {
  token: string;
  accountId: string;
}

export function renderSignIn(
  root: HTMLElement,
  options: { values: SignInValues; demoAccountId: string | null; error: string | null; onSubmit(values: SignInValues): void },
): void {
  const form = h(
    'form',
    { class: 'sign-in', 'aria-label': 'Sign in' },
    h('h1', {}, 'Kazoo registrations'),
    options.demoAccountId === null ? null : demoNote(options.demoAccountId),
    h(
      'label',
      {},
      'Kazoo token',
      h('input', { name: 'token', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false' }),
    ),
    h(
      'label',
      {},
      'Account id',
      h('input', {
        name: 'accountId',
        type: 'text',
        autocomplete: 'off',
        spellcheck: 'false',
        placeholder: "the token's own account",
        title: "An Account id or a Kazoo account id (32 lower-case hexadecimal characters); empty: the token's own account",
      }),
    ),
    h('button', { type: 'submit' }, 'Sign in'),
    h('p', { class: 'error', role: 'alert' }, options.error ?? ''),
  );
  find<HTMLInputElement>(form, 'input[name=token]').value = options.values.token;
  find<HTMLInputElement>(form, 'input[name=accountId]').value = options.values.accountId;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = find<HTMLButtonElement>(form, 'button');
    button.disabled = true;
    button.textContent = 'Signing in…';
    const data = new FormData(form);
    options.onSubmit({ token: String(data.get('token') ?? '').trim(), accountId: String(data.get('accountId') ?? '').trim() });
  });
  root.replaceChildren(form);
}

interface DashboardViewOptions {
  accountLabel: string;
  /** Said under the header for as long as the page is open: what Kazoo could not answer when it loaded. */
  notice: string | null;
  demoAccountId: string | null;
  filter: DeviceFilter;
  onFilter(filter: DeviceFilter): void;
  onSignOut(): void;
}

export class DashboardView {
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private readonly highlightTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly connection: HTMLElement;
  private readonly counts: Record<DeviceState, HTMLElement>;
  private readonly typeSelect: HTMLSelectElement;
  private readonly stateSelect: HTMLSelectElement;
  private readonly shown: HTMLElement;
  private readonly updated: HTMLElement;
  private readonly message: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private filter: DeviceFilter;

  constructor(
    root: HTMLElement,
    private readonly options: DashboardViewOptions,
  ) {
    this.filter = options.filter;
    this.connection = h('span', { class: 'connection', role: 'status', 'data-state': 'connecting' }, CONNECTION_LABELS.connecting);
    const signOut = h('button', { type: 'button', class: 'sign-out' }, 'Sign out');
    signOut.addEventListener('click', () => options.onSignOut());
    this.updated = h('span', { class: 'updated' });

    const countBox = (state: DeviceState): HTMLButtonElement => {
      const box = h('button', { type: 'button', class: `count ${state}`, 'data-count': state, title: COUNT_TITLES[state] });
      box.addEventListener('click', () => this.setFilter({ ...this.filter, state: this.filter.state === state ? null : state }));
      return box;
    };
    const boxes = { registered: countBox('registered'), unregistered: countBox('unregistered'), disabled: countBox('disabled') };
    this.counts = boxes;

    this.typeSelect = h('select', { name: 'type' }, h('option', { value: '' }, 'All types'));
    this.stateSelect = h(
      'select',
      { name: 'state' },
      h('option', { value: '' }, 'All states'),
      ...DEVICE_STATES.map((state) => h('option', { value: state }, STATE_LABELS[state])),
    );
    this.typeSelect.addEventListener('change', () => this.setFilter({ ...this.filter, type: this.typeSelect.value || null }));
    this.stateSelect.addEventListener('change', () =>
      this.setFilter({ ...this.filter, state: (this.stateSelect.value || null) as DeviceState | null }),
    );
    this.shown = h('span', { class: 'shown' });
    this.message = h('p', { class: 'error', role: 'alert' });
    this.body = h('tbody');

    root.replaceChildren(
      h(
        'header',
        { class: 'top' },
        h('h1', {}, 'Registrations'),
        h('span', { class: 'account' }, options.accountLabel),
        h('span', { class: 'spacer' }),
        this.updated,
        this.connection,
        signOut,
      ),
      ...(options.demoAccountId === null ? [] : [demoNote(options.demoAccountId)]),
      this.message,
      ...(options.notice === null ? [] : [h('p', { class: 'notice', role: 'status' }, options.notice)]),
      h('section', { class: 'counts', 'aria-label': 'Counts' }, boxes.registered, boxes.unregistered, boxes.disabled),
      h(
        'section',
        { class: 'filters', 'aria-label': 'Filters' },
        h('label', {}, 'Type ', this.typeSelect),
        h('label', {}, 'State ', this.stateSelect),
        this.shown,
      ),
      h(
        'table',
        { class: 'devices' },
        h(
          'thead',
          {},
          h('tr', {}, ...['Name', 'Type', 'Owner', 'State', 'User agent', 'IP'].map((title) => h('th', { scope: 'col' }, title))),
        ),
        this.body,
      ),
    );
  }

  setConnection(state: ConnectionState): void {
    this.connection.dataset.state = state;
    this.connection.textContent = CONNECTION_LABELS[state];
  }

  showError(message: string | null): void {
    this.message.textContent = message ?? '';
  }

  /** Rebuilds every row from the store (after loading the list, or when a device appeared). */
  renderAll(store: DeviceStore): void {
    this.body.replaceChildren(...store.list().map((device) => this.renderRow(device)));
    this.renderTypes(store.types());
    this.renderSummary(store);
  }

  /** Redraws one device's row; `highlight` marks it for a few seconds (its registration state flipped). */
  renderDevice(device: DashboardDeviceFragment, highlight: boolean): void {
    const row = this.renderRow(device);
    if (highlight) this.highlight(device.id, row);
  }

  markUpdated(at: Date): void {
    this.updated.textContent = `Updated ${at.toLocaleTimeString()}`;
  }

  /** Applies the current filter to every row and refreshes the counts. */
  renderSummary(store: DeviceStore): void {
    const counts = store.counts();
    for (const state of DEVICE_STATES) {
      this.counts[state].replaceChildren(h('strong', {}, String(counts[state])), ` ${state}`);
      this.counts[state].setAttribute('aria-pressed', String(this.filter.state === state));
    }
    let shown = 0;
    for (const device of store.values()) {
      const visible = matchesFilter(device, this.filter);
      const row = this.rows.get(device.id);
      if (row !== undefined) row.hidden = !visible;
      if (visible) shown += 1;
    }
    this.shown.textContent = `${shown} of ${store.size} devices`;
  }

  private setFilter(filter: DeviceFilter): void {
    this.filter = filter;
    this.typeSelect.value = filter.type ?? '';
    this.stateSelect.value = filter.state ?? '';
    this.options.onFilter(filter);
  }

  private renderTypes(types: readonly { type: string; label: string }[]): void {
    const current = this.filter.type;
    // A type from the URL that no device has (any more) stays selectable, by its Kazoo name.
    const all = current !== null && !types.some(({ type }) => type === current) ? [...types, { type: current, label: current }] : types;
    this.typeSelect.replaceChildren(
      h('option', { value: '' }, 'All types'),
      ...all.map(({ type, label }) => h('option', { value: type }, label)),
    );
    this.typeSelect.value = current ?? '';
    this.stateSelect.value = this.filter.state ?? '';
  }

  private renderRow(device: DashboardDeviceFragment): HTMLTableRowElement {
    let row = this.rows.get(device.id);
    if (row === undefined) {
      row = h('tr', { 'data-device-id': device.id });
      this.rows.set(device.id, row);
    }
    const state = rowStateOf(device);
    row.dataset.state = state;
    const { registration } = device;
    row.replaceChildren(
      h('td', { class: 'name' }, device.name),
      h('td', {}, typeLabelOf(device)),
      // An owner id without an owner: Kazoo has no such user, or its users could not be read.
      h('td', {}, device.owner?.fullName ?? (device.ownerId === null ? '—' : 'Unknown')),
      h('td', {}, h('span', { class: `state ${state}` }, STATE_LABELS[state])),
      h('td', { class: 'user-agent' }, registration?.registered === true ? (registration.userAgent ?? '') : ''),
      h('td', { class: 'ip' }, registration?.registered === true ? (registration.contactIp ?? '') : ''),
    );
    return row;
  }

  private highlight(deviceId: string, row: HTMLTableRowElement): void {
    clearTimeout(this.highlightTimers.get(deviceId));
    row.classList.remove('changed');
    // Reading layout restarts the CSS animation when the row is already highlighted.
    void row.offsetWidth;
    row.classList.add('changed');
    this.highlightTimers.set(
      deviceId,
      setTimeout(() => {
        row.classList.remove('changed');
        this.highlightTimers.delete(deviceId);
      }, HIGHLIGHT_MS),
    );
  }
}
