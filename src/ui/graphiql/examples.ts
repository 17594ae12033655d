// The example operations GraphiQL opens with, one tab each: who am I, devices with registration and owner, update a
// device, and live registrations. In demo mode they are ready to run against the demo account.
import type { DemoCredentials } from '../../server/ui-build.js';

export interface ExampleTab {
  query: string;
  variables: string;
  headers: string;
}

const VIEWER = `# Who the token in the Headers pane belongs to.
# Its accountId is what the other tabs need.
query Viewer {
  viewer {
    accountId
    accountName
    authMethod
    owner {
      fullName
    }
  }
}
`;

const DEVICES = `# The account's devices with their SIP registration
# and owner. Costs three Kazoo calls whatever the number
# of devices: the page, the registrations, the owners.
# For the next page, pass pageInfo.endCursor as "after".
query DevicesWithRegistration($accountId: ID!, $after: String) {
  devices(accountId: $accountId, first: 50, after: $after) {
    nodes {
      id
      name
      deviceType
      enabled
      macAddress
      owner {
        id
        fullName
      }
      registration {
        registered
        userAgent
        contactIp
        registeredAt
        expiresInSeconds
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

const UPDATE_DEVICE = `# Renames a device and turns call waiting on. A Kazoo
# PATCH: every other field is kept. Take a device id
# from the DevicesWithRegistration tab. With sync: true
# the phone is also asked to reload its settings.
mutation UpdateDevice($accountId: ID!, $deviceId: ID!, $name: String!) {
  updateDevice(
    accountId: $accountId
    id: $deviceId
    input: { name: $name, callWaiting: { enabled: true } }
    sync: false
  ) {
    id
    name
    callWaiting {
      enabled
    }
  }
}
`;

const WATCH_REGISTRATIONS = `# Live registrations over graphql-ws: first every
# device's current state (initial: true), then each phone
# that registers or drops off. Runs until you press stop.
subscription WatchRegistrations($accountId: ID!) {
  registrationChanged(accountId: $accountId, initial: true) {
    at
    deviceId
    registered
    registration {
      userAgent
      contactIp
      expiresInSeconds
    }
    device {
      name
      deviceType
      owner {
        fullName
      }
    }
  }
}
`;

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** The headers editor's content: the demo token, or an empty one to paste a Kazoo token into. */
export function headersFor(demo: DemoCredentials | null): string {
  return json({ 'X-Auth-Token': demo?.token ?? '' });
}

export function exampleTabs(demo: DemoCredentials | null): ExampleTab[] {
  const headers = headersFor(demo);
  const accountId = demo?.accountId ?? 'your account id (see the Viewer tab)';
  return [
    { query: DEVICES, variables: json({ accountId }), headers },
    { query: VIEWER, variables: '', headers },
    { query: UPDATE_DEVICE, variables: json({ accountId, deviceId: 'a device id', name: 'Front desk' }), headers },
    { query: WATCH_REGISTRATIONS, variables: json({ accountId }), headers },
  ];
}
