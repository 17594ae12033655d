// Kazoo 4.3's `call_recording` JSON schema (priv/couchdb/schemas/call_recording.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const callRecordingSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "call_recording",
  "additionalProperties": false,
  "properties": {
    "any": {
      "$ref": "call_recording.source"
    },
    "inbound": {
      "$ref": "call_recording.source"
    },
    "outbound": {
      "$ref": "call_recording.source"
    }
  },
  "type": "object"
} as const satisfies KazooSchema;
