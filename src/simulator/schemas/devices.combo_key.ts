// Kazoo 4.3's `devices.combo_key` JSON schema (priv/couchdb/schemas/devices.combo_key.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const devicesComboKeySchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "devices.combo_key",
  "oneOf": [
    {
      "properties": {
        "type": {
          "enum": [
            "parking"
          ],
          "type": "string"
        },
        "value": {
          "oneOf": [
            {
              "maximum": 10,
              "minimum": 1,
              "type": "integer"
            },
            {
              "enum": [
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
                "9",
                "10"
              ],
              "type": "string"
            },
            {
              "properties": {
                "label": {
                  "type": "string"
                },
                "value": {
                  "maximum": 10,
                  "minimum": 1,
                  "type": "integer"
                }
              },
              "required": [
                "label",
                "value"
              ],
              "type": "object"
            }
          ]
        }
      },
      "required": [
        "type"
      ]
    },
    {
      "properties": {
        "type": {
          "enum": [
            "line",
            "presence",
            "personal_parking",
            "speed_dial"
          ],
          "type": "string"
        },
        "value": {
          "oneOf": [
            {
              "type": "string"
            },
            {
              "properties": {
                "label": {
                  "type": "string"
                },
                "value": {
                  "type": "string"
                }
              },
              "required": [
                "label",
                "value"
              ],
              "type": "object"
            }
          ]
        }
      },
      "required": [
        "type"
      ]
    }
  ],
  "type": [
    "object",
    "null"
  ]
} as const satisfies KazooSchema;
