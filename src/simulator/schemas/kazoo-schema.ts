// The shape of the embedded Kazoo JSON schemas: the draft-04 subset Kazoo 4.3's device, user and
// auth schemas use. Typing the embedded schemas with it makes an unsupported keyword a compile error.

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** Formats Kazoo's schemas use; jesse only checks `email` (validation/formats.ts). */
export type SchemaFormat = 'email' | 'uri' | 'regex';

export interface SchemaNode {
  readonly $ref?: string;
  readonly type?: JsonType | readonly JsonType[];
  readonly properties?: { readonly [name: string]: SchemaNode };
  readonly patternProperties?: { readonly [pattern: string]: SchemaNode };
  readonly additionalProperties?: boolean | SchemaNode;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: SchemaNode;
  readonly uniqueItems?: boolean;
  readonly oneOf?: readonly SchemaNode[];
  readonly anyOf?: readonly SchemaNode[];
  readonly format?: SchemaFormat;
  readonly default?: unknown;
  /** Kazoo extension (kz_json_schema_extensions.erl) handled by Kazoo code we do not model. */
  readonly 'kazoo-validation'?: boolean;
}

export interface KazooSchema extends SchemaNode {
  readonly $schema: string;
  /** Other schemas reference this one by `$ref` to this id. */
  readonly _id: string;
}
