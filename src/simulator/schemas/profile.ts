// Kazoo 4.3's `profile` JSON schema (priv/couchdb/schemas/profile.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const profileSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "profile",
  "properties": {
    "addresses": {
      "items": {
        "properties": {
          "address": {
            "type": "string"
          },
          "types": {
            "items": {
              "enum": [
                "dom",
                "postal",
                "intl",
                "parcel",
                "home",
                "work",
                "pref"
              ]
            },
            "type": "array"
          }
        },
        "type": "object"
      },
      "type": "array"
    },
    "assistant": {
      "type": "string"
    },
    "birthday": {
      "type": "string"
    },
    "nicknames": {
      "items": {
        "type": "string"
      },
      "type": "array"
    },
    "note": {
      "type": "string"
    },
    "role": {
      "type": "string"
    },
    "sort-string": {
      "type": "string"
    },
    "title": {
      "type": "string"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
