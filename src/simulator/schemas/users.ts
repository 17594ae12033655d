// Kazoo 4.3's `users` JSON schema (priv/couchdb/schemas/users.json), validation keywords only.
// Keyword order is kept as in Kazoo's file: jesse checks keywords in that order.
import type { KazooSchema } from './kazoo-schema.js';

export const usersSchema = {
  "$schema": "http://json-schema.org/draft-04/schema#",
  "_id": "users",
  "properties": {
    "call_forward": {
      "properties": {
        "direct_calls_only": {
          "default": false,
          "type": "boolean"
        },
        "enabled": {
          "default": false,
          "type": "boolean"
        },
        "failover": {
          "default": false,
          "type": "boolean"
        },
        "ignore_early_media": {
          "default": true,
          "type": "boolean"
        },
        "keep_caller_id": {
          "default": true,
          "type": "boolean"
        },
        "number": {
          "maxLength": 35,
          "type": "string"
        },
        "require_keypress": {
          "default": true,
          "type": "boolean"
        },
        "substitute": {
          "default": true,
          "type": "boolean"
        }
      },
      "type": "object"
    },
    "call_recording": {
      "$ref": "call_recording"
    },
    "call_restriction": {
      "additionalProperties": {
        "properties": {
          "action": {
            "enum": [
              "inherit",
              "deny"
            ],
            "type": "string"
          }
        },
        "type": "object"
      },
      "default": {},
      "type": "object"
    },
    "call_waiting": {
      "$ref": "call_waiting"
    },
    "caller_id": {
      "$ref": "caller_id"
    },
    "caller_id_options": {
      "properties": {
        "outbound_privacy": {
          "enum": [
            "full",
            "name",
            "number",
            "none"
          ],
          "type": "string"
        }
      },
      "type": "object"
    },
    "contact_list": {
      "default": {},
      "properties": {
        "exclude": {
          "type": "boolean"
        }
      },
      "type": "object"
    },
    "dial_plan": {
      "$ref": "dialplans"
    },
    "directories": {
      "type": "object"
    },
    "do_not_disturb": {
      "properties": {
        "enabled": {
          "type": "boolean"
        }
      },
      "type": "object"
    },
    "email": {
      "format": "email",
      "maxLength": 254,
      "minLength": 3,
      "type": "string"
    },
    "enabled": {
      "default": true,
      "type": "boolean"
    },
    "feature_level": {
      "type": "string"
    },
    "first_name": {
      "maxLength": 128,
      "minLength": 1,
      "type": "string"
    },
    "flags": {
      "items": {
        "type": "string"
      },
      "type": "array"
    },
    "formatters": {
      "$ref": "formatters",
      "type": "object"
    },
    "hotdesk": {
      "default": {},
      "properties": {
        "enabled": {
          "default": false,
          "type": "boolean"
        },
        "id": {
          "maxLength": 15,
          "type": "string"
        },
        "keep_logged_in_elsewhere": {
          "default": false,
          "type": "boolean"
        },
        "pin": {
          "maxLength": 15,
          "minLength": 4,
          "type": "string"
        },
        "require_pin": {
          "default": false,
          "type": "boolean"
        }
      },
      "type": "object"
    },
    "language": {
      "type": "string"
    },
    "last_name": {
      "maxLength": 128,
      "minLength": 1,
      "type": "string"
    },
    "media": {
      "$ref": "endpoint.media"
    },
    "metaflows": {
      "$ref": "metaflows"
    },
    "music_on_hold": {
      "default": {},
      "properties": {
        "media_id": {
          "maxLength": 128,
          "type": "string"
        }
      },
      "type": "object"
    },
    "password": {
      "type": "string"
    },
    "presence_id": {
      "type": "string"
    },
    "priv_level": {
      "default": "user",
      "enum": [
        "user",
        "admin"
      ],
      "type": "string"
    },
    "profile": {
      "$ref": "profile"
    },
    "pronounced_name": {
      "properties": {
        "media_id": {
          "maxLength": 128,
          "type": "string"
        }
      },
      "type": "object"
    },
    "require_password_update": {
      "default": false,
      "type": "boolean"
    },
    "ringtones": {
      "default": {},
      "properties": {
        "external": {
          "maxLength": 256,
          "type": "string"
        },
        "internal": {
          "maxLength": 256,
          "type": "string"
        }
      },
      "type": "object"
    },
    "timezone": {
      "type": "string"
    },
    "username": {
      "maxLength": 256,
      "minLength": 1,
      "pattern": "^([+@.\\w_-]+)$",
      "type": "string"
    },
    "verified": {
      "default": false,
      "type": "boolean"
    },
    "vm_to_email_enabled": {
      "default": true,
      "type": "boolean"
    },
    "voicemail": {
      "properties": {
        "notify": {
          "properties": {
            "callback": {
              "$ref": "notify.callback"
            }
          },
          "type": "object"
        }
      },
      "type": "object"
    }
  },
  "required": [
    "first_name",
    "last_name"
  ],
  "type": "object"
} as const satisfies KazooSchema;
