// Kazoo 4.3's `call_waiting` JSON schema (priv/couchdb/schemas/call_waiting.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const callWaitingSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "call_waiting",
  "properties": {
    "enabled": {
      "type": "boolean"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
