// Kazoo 4.3's `user_auth` JSON schema (priv/couchdb/schemas/user_auth.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const userAuthSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "user_auth",
  "properties": {
    "account_name": {
      "maxLength": 128,
      "minLength": 1,
      "type": "string"
    },
    "account_realm": {
      "maxLength": 253,
      "minLength": 4,
      "pattern": "^[.\\w_-]+$",
      "type": "string"
    },
    "credentials": {
      "maxLength": 64,
      "minLength": 1,
      "type": "string"
    },
    "method": {
      "default": "md5",
      "enum": [
        "md5",
        "sha"
      ],
      "type": "string"
    },
    "phone_number": {
      "maxLength": 64,
      "minLength": 1,
      "type": "string"
    }
  },
  "required": [
    "credentials"
  ],
  "type": "object"
} as const satisfies KazooSchema;
