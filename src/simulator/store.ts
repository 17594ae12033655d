// In-memory "CouchDB": accounts and their device/user documents with revisions, private fields and soft deletes.
import { createHash } from 'node:crypto';
import { gregorianSeconds } from './clock.js';
import { canonicalJson, clone, privateFields, type JsonObject } from './json.js';

export type DocType = 'device' | 'user';

export interface StoredDoc extends JsonObject {
  _id: string;
  _rev: string;
  pvt_type: DocType;
  pvt_created: number;
  pvt_modified: number;
  pvt_account_id: string;
  pvt_account_db: string;
  pvt_vsn: string;
}

export interface AccountRecord {
  id: string;
  name: string;
  realm: string;
  timezone: string;
  language: string;
  apiKey: string;
  created: number;
  rev: string;
  docs: Map<string, StoredDoc>;
}

/** kzd_accounts:normalize_name/1: lower-case, alphanumerics only. */
export function normalizeAccountName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** "account%2Fab%2Fcd%2Fef..." as kz_util:format_account_db/1 builds it. */
function accountDbName(accountId: string): string {
  return `account%2F${accountId.slice(0, 2)}%2F${accountId.slice(2, 4)}%2F${accountId.slice(4)}`;
}

function nextRevision(doc: JsonObject, previous: string | undefined): string {
  const generation = previous ? Number.parseInt(previous, 10) + 1 : 1;
  const { _rev: _ignored, ...rest } = doc;
  return `${generation}-${createHash('md5').update(canonicalJson(rest)).digest('hex')}`;
}

function isDeleted(doc: StoredDoc): boolean {
  return doc.pvt_deleted === true;
}

/** A document written, as kazoo_data classifies it for its `doc_*` event (a soft delete is `deleted`). */
export interface DocumentWrite {
  doc: StoredDoc;
  action: 'created' | 'edited' | 'deleted';
}

export class Store {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly writeListeners = new Set<(write: DocumentWrite) => void>();

  /** Hears every document write until the returned function is called. */
  onWrite(listener: (write: DocumentWrite) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  private written(doc: StoredDoc, action: DocumentWrite['action']): void {
    for (const listener of this.writeListeners) listener({ doc, action });
  }

  addAccount(account: Omit<AccountRecord, 'docs' | 'rev'>): AccountRecord {
    const record: AccountRecord = { ...account, rev: '', docs: new Map() };
    record.rev = nextRevision({ id: account.id, name: account.name, realm: account.realm }, undefined);
    this.accounts.set(account.id, record);
    return record;
  }

  account(accountId: string): AccountRecord | undefined {
    return this.accounts.get(accountId);
  }

  allAccounts(): AccountRecord[] {
    return [...this.accounts.values()];
  }

  accountByName(name: string): AccountRecord | undefined {
    const wanted = normalizeAccountName(name);
    return this.allAccounts().find((account) => normalizeAccountName(account.name) === wanted);
  }

  accountByRealm(realm: string): AccountRecord | undefined {
    const wanted = realm.toLowerCase();
    return this.allAccounts().find((account) => account.realm.toLowerCase() === wanted);
  }

  accountByApiKey(apiKey: string): AccountRecord | undefined {
    return this.allAccounts().find((account) => account.apiKey === apiKey);
  }

  /** Live (not soft-deleted) documents of a type, ascending by id like the crossbar_listing views. */
  docs(accountId: string, type: DocType): StoredDoc[] {
    const account = this.accounts.get(accountId);
    if (!account) return [];
    return [...account.docs.values()]
      .filter((doc) => doc.pvt_type === type && !isDeleted(doc))
      .sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  }

  /** A live document of the given type (crossbar_doc:load with a type check): deleted or other types are absent. */
  doc(accountId: string, type: DocType, id: string): StoredDoc | undefined {
    const doc = this.accounts.get(accountId)?.docs.get(id);
    return doc && doc.pvt_type === type && !isDeleted(doc) ? doc : undefined;
  }

  insert(accountId: string, type: DocType, id: string, body: JsonObject, createdMs: number = Date.now()): StoredDoc {
    const account = this.requireAccount(accountId);
    const now = gregorianSeconds(createdMs);
    const doc: StoredDoc = {
      ...clone(body),
      _id: id,
      _rev: '',
      pvt_type: type,
      pvt_created: now,
      pvt_modified: now,
      pvt_account_id: accountId,
      pvt_account_db: accountDbName(accountId),
      pvt_vsn: '1',
    };
    doc._rev = nextRevision(doc, undefined);
    account.docs.set(id, doc);
    this.written(doc, 'created');
    return doc;
  }

  /** Saves a new body over an existing document, keeping its private fields (crossbar_doc load_merge). */
  replace(accountId: string, existing: StoredDoc, body: JsonObject, extraPrivate: JsonObject = {}): StoredDoc {
    const account = this.requireAccount(accountId);
    const doc: StoredDoc = {
      ...clone(body),
      ...privateFields(existing),
      ...clone(extraPrivate),
      _id: existing._id,
      _rev: existing._rev,
      pvt_type: existing.pvt_type,
      pvt_created: existing.pvt_created,
      pvt_modified: gregorianSeconds(),
      pvt_account_id: existing.pvt_account_id,
      pvt_account_db: existing.pvt_account_db,
      pvt_vsn: existing.pvt_vsn,
    };
    for (const [key, value] of Object.entries(extraPrivate)) {
      if (value === null) delete doc[key];
    }
    doc._rev = nextRevision(doc, existing._rev);
    account.docs.set(doc._id, doc);
    this.written(doc, 'edited');
    return doc;
  }

  softDelete(accountId: string, existing: StoredDoc): StoredDoc {
    const account = this.requireAccount(accountId);
    const doc: StoredDoc = { ...clone(existing), pvt_deleted: true, pvt_modified: gregorianSeconds() };
    doc._rev = nextRevision(doc, existing._rev);
    account.docs.set(doc._id, doc);
    this.written(doc, 'deleted');
    return doc;
  }

  private requireAccount(accountId: string): AccountRecord {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`unknown account ${accountId}`);
    return account;
  }
}

