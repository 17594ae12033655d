// Kazoo 4.3's `devices_notify` JSON schema (priv/couchdb/schemas/devices_notify.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const devicesNotifySchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "devices_notify",
  "properties": {
    "data": {
      "properties": {
        "body": {
          "properties": {
            "content_type": {
              "type": "string"
            },
            "data": {
              "type": "string"
            }
          },
          "required": [
            "data",
            "content_type"
          ],
          "type": "object"
        },
        "event": {
          "type": "string"
        }
      },
      "required": [
        "event"
      ],
      "type": "object"
    }
  },
  "required": [
    "data"
  ],
  "type": "object"
} as const satisfies KazooSchema;
