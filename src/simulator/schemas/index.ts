// Registry of the embedded Kazoo 4.3 schemas, keyed by `_id` (the target of every `$ref`).
import type { KazooSchema } from './kazoo-schema.js';
import { apiAuthSchema } from './api_auth.js';
import { callRecordingSchema } from './call_recording.js';
import { callRecordingParametersSchema } from './call_recording.parameters.js';
import { callRecordingSourceSchema } from './call_recording.source.js';
import { callWaitingSchema } from './call_waiting.js';
import { callerIdSchema } from './caller_id.js';
import { customSipHeadersSchema } from './custom_sip_headers.js';
import { devicesComboKeySchema } from './devices.combo_key.js';
import { devicesSchema } from './devices.js';
import { devicesNotifySchema } from './devices_notify.js';
import { dialplansSchema } from './dialplans.js';
import { endpointMediaSchema } from './endpoint.media.js';
import { formattersFormatOptionsSchema } from './formatters.format_options.js';
import { formattersSchema } from './formatters.js';
import { metaflowSchema } from './metaflow.js';
import { metaflowsSchema } from './metaflows.js';
import { notifyCallbackSchema } from './notify.callback.js';
import { profileSchema } from './profile.js';
import { userAuthSchema } from './user_auth.js';
import { usersSchema } from './users.js';

export type { JsonType, KazooSchema, SchemaFormat, SchemaNode } from './kazoo-schema.js';

export const kazooSchemas: Readonly<Record<string, KazooSchema>> = {
  [apiAuthSchema._id]: apiAuthSchema,
  [callRecordingSchema._id]: callRecordingSchema,
  [callRecordingParametersSchema._id]: callRecordingParametersSchema,
  [callRecordingSourceSchema._id]: callRecordingSourceSchema,
  [callWaitingSchema._id]: callWaitingSchema,
  [callerIdSchema._id]: callerIdSchema,
  [customSipHeadersSchema._id]: customSipHeadersSchema,
  [devicesComboKeySchema._id]: devicesComboKeySchema,
  [devicesSchema._id]: devicesSchema,
  [devicesNotifySchema._id]: devicesNotifySchema,
  [dialplansSchema._id]: dialplansSchema,
  [endpointMediaSchema._id]: endpointMediaSchema,
  [formattersFormatOptionsSchema._id]: formattersFormatOptionsSchema,
  [formattersSchema._id]: formattersSchema,
  [metaflowSchema._id]: metaflowSchema,
  [metaflowsSchema._id]: metaflowsSchema,
  [notifyCallbackSchema._id]: notifyCallbackSchema,
  [profileSchema._id]: profileSchema,
  [userAuthSchema._id]: userAuthSchema,
  [usersSchema._id]: usersSchema,
};
