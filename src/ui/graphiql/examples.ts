// The example operations GraphiQL opens with, one tab each: the token's account with its registration counts and
// devices, who am I, update a device (its payload and userErrors), and live registrations. None needs an account id:
// each acts in the token's own account, so in demo mode they run as they are against the demo account. Each is marked
// /* GraphQL */ so that codegen (codegen.ts) puts it in the gateway's manifest of trusted documents.
import type { DemoCredentials } from '../shared/page-config.js';

interface ExampleTab {
  query: string;
  variables: string;
  headers: string;
}

const VIEWER = /* GraphQL */ `# Who the token in the Headers pane belongs to. Every
# other tab acts in this account without being told:
# accountId arguments default to the token's account
# (pass one to act in a sub-account).
query Viewer {
  viewer {
    accountId
    accountName
    authMethod
    owner {
      id
      fullName
    }
    account {
      id
      kazooId
      name
    }
  }
}
`;

const DEVICES = /* GraphQL */ `# The token's account: its registration counts and its
# devices with their SIP registration and owner. Six Kazoo
# calls whatever the page size: who the token is, the
# account, a page of devices, the registrations, the
# users (owners), and one listing of every device for
# the counts (the response's extensions.cost estimates
# them). Fields that fail alone come back null with an
# error naming them. For the next page, pass
# pageInfo.endCursor as "after".
query DevicesWithRegistration($after: String) {
  viewer {
    account {
      id
      name
      registrationSummary {
        total
        registered
        unregistered
        disabled
      }
      devices(first: 50, after: $after) {
        nodes {
          id
          kazooId
          name
          deviceType
          enabled
          macAddress
          owner {
            id
            fullName
          }
          registration {
            id
            registered
            userAgent
            contactIp
            registeredAt
            expiresAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
}
`;

const UPDATE_DEVICE = /* GraphQL */ `# Renames a device and turns call waiting on. A Kazoo
# PATCH: every other field is kept. Put a device's id
# (from the DevicesWithRegistration tab) in the
# variables; as it is, the example shows what a refused
# input answers: no device, and a userError naming the
# argument. What Kazoo refuses in the input comes back
# in userErrors the same way, never as a top-level error.
# With sync: true the phone also reloads its settings.
mutation UpdateDevice($deviceId: ID!, $name: String!) {
  updateDevice(
    id: $deviceId
    input: { name: $name, callWaiting: { enabled: true } }
    sync: false
  ) {
    device {
      id
      name
      callWaiting {
        enabled
      }
    }
    userErrors {
      field
      code
      message
    }
  }
}
`;

const WATCH_REGISTRATIONS = /* GraphQL */ `# Live registrations over graphql-ws: first every
# device's current state (initial: true), then each phone
# that registers or drops off. Runs until you press stop.
# The registration has the same id as the device's own
# (Device.registration), so a normalized cache updates
# the device from the event alone.
subscription WatchRegistrations {
  registrationChanged(initial: true) {
    at
    deviceId
    registration {
      id
      registered
      userAgent
      contactIp
      expiresAt
    }
    device {
      id
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

/** The tabs, acting in the token's own account: the demo account with the demo token. */
export function exampleTabs(demo: DemoCredentials | null): ExampleTab[] {
  const headers = headersFor(demo);
  return [
    { query: DEVICES, variables: '', headers },
    { query: VIEWER, variables: '', headers },
    { query: UPDATE_DEVICE, variables: json({ deviceId: 'a device id', name: 'Front desk' }), headers },
    { query: WATCH_REGISTRATIONS, variables: '', headers },
  ];
}
