// Kazoo values whose shape no generic rule covers, converted both ways: provisioner keys (`{"1": {"type": "line",
// "value": {"label": "Sales", "value": "1"}}}`), dial plans (a `system` list beside regex-keyed rules), custom SIP
// headers (per direction, or flat), formatter rules (one or a list) and bypass_media (a boolean, or the deprecated
// strings). Everything else goes through kazoo-mapping.ts.
import { isRecord } from '../kazoo/client.js';
import type { KazooObject } from '../kazoo/types.js';
import type { ListShape } from './kazoo-mapping.js';

/** Provisioner keys -> entries ordered by key index; `null` slots (which Kazoo drops on save) are skipped. */
export function provisionKeysFromKazoo(keys: unknown): KazooObject[] | null {
  if (!isRecord(keys)) return null;
  return Object.entries(keys)
    .filter((entry): entry is [string, KazooObject] => isRecord(entry[1]))
    .map(([index, key]) => {
      const value = key.value;
      const labelled = isRecord(value);
      return {
        index: Number(index),
        type: key.type,
        value: labelled ? value.value : value,
        label: labelled ? value.label : undefined,
      };
    })
    .filter((key) => Number.isInteger(key.index))
    .sort((a, b) => a.index - b.index);
}

interface ProvisionKeyInput {
  index: number;
  type: string;
  value?: string | null;
  label?: string | null;
}

/** Entries -> Kazoo's keyed object. A label turns the value into `{label, value}`, whose value is an integer slot
 * for parking keys (devices.combo_key schema). */
function provisionKeysToKazoo(entries: unknown): KazooObject {
  const keys: KazooObject = {};
  for (const entry of entries as ProvisionKeyInput[]) {
    const value = entry.type === 'parking' && entry.label != null ? Number(entry.value) : entry.value;
    keys[String(entry.index)] = {
      type: entry.type,
      ...(entry.label != null ? { value: { label: entry.label, value } } : entry.value != null ? { value } : {}),
    };
  }
  return keys;
}

/** Where a Kazoo path below one provisioner key came from in its ProvisionKeyInput (`value.label` -> `label`). */
function provisionKeyFieldsBelow(kazooPath: readonly string[]): readonly string[] | undefined {
  switch (kazooPath.join('.')) {
    case '':
      return [];
    case 'type':
      return ['type'];
    case 'value':
    case 'value.value':
      return ['value'];
    case 'value.label':
      return ['label'];
    default:
      return undefined;
  }
}

/** ProvisionKeyInput lists, stored by Kazoo as objects keyed by key index. */
export const provisionKeysShape: ListShape = {
  toKazoo: provisionKeysToKazoo,
  keyOf: (entry) => String(entry.index),
  fieldsBelow: provisionKeyFieldsBelow,
};

/** Dial plan regex rules: every key but `system` is a regular expression with its rewrite. */
export function dialPlanRulesFromKazoo(dialPlan: unknown): KazooObject[] {
  if (!isRecord(dialPlan)) return [];
  return Object.entries(dialPlan)
    .filter(([key, rule]) => key !== 'system' && isRecord(rule))
    .map(([regex, rule]) => ({ ...(rule as KazooObject), regex }));
}

/** Custom SIP headers given without a direction: every string-valued key beside `in` and `out`. */
export function undirectedSipHeadersFromKazoo(headers: unknown): KazooObject[] {
  if (!isRecord(headers)) return [];
  return Object.entries(headers)
    .filter(([name, value]) => name !== 'in' && name !== 'out' && typeof value === 'string')
    .map(([name, value]) => ({ name, value }));
}

/** A formatter holds one rule object or a list of them. */
export function formatterRulesFromKazoo(rules: unknown): KazooObject[] {
  if (Array.isArray(rules)) return rules.filter(isRecord);
  return isRecord(rules) ? [rules] : [];
}

/** bypass_media: true/false/"auto", plus the deprecated strings "true"/"false". Values are the BypassMedia enum's. */
export function bypassMediaFromKazoo(value: unknown): boolean | 'auto' | null {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return value === 'auto' ? 'auto' : null;
}
