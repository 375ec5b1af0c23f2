import type { DynamoItem } from '../aws/dynamodb.js';
import { CruddurError } from '../core/errors.js';

// DynamoDB's AttributeValue type descriptors (DynamoDB API reference, AttributeValue).
const DESCRIPTORS = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

function invalid(file: string, problem: string): CruddurError {
  return new CruddurError(`${file}: ${problem}`, {
    suggestion: 'write an array of items (plain JSON), or {"Items": [...]} / {"<table>": [{"PutRequest": {"Item": ...}}]} (DynamoDB JSON); see docs/ddb.md',
    code: 'DDB_BAD_SEED',
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A plain JSON value as a DynamoDB AttributeValue: string -> S, number -> N, boolean -> BOOL, null -> NULL,
 * array -> L, object -> M (the mapping of the AWS SDKs' document clients, without sets or binary).
 */
export function toAttributeValue(value: unknown, path: string): DynamoItem[string] {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is not a finite number`);
    return { N: String(value) };
  }
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map((v, i) => toAttributeValue(v, `${path}[${i}]`)) };
  if (isObject(value)) return { M: marshalItem(value, path) };
  throw new Error(`${path} has a value JSON cannot hold`);
}

/** A plain JSON object as a DynamoDB item. */
export function marshalItem(plain: Record<string, unknown>, path = 'item'): DynamoItem {
  return Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, toAttributeValue(v, `${path}.${k}`)]));
}

/** A DynamoDB item as plain JSON (N as a number when it round-trips exactly, else as its string; B as base64). */
export function unmarshalItem(item: DynamoItem): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, fromAttributeValue(v)]));
}

function numberOf(n: string): number | string {
  const value = Number(n);
  return String(value) === n ? value : n;
}

function fromAttributeValue(v: DynamoItem[string]): unknown {
  const a = v as unknown as Record<string, unknown>;
  if ('S' in a) return a.S;
  if ('N' in a) return numberOf(String(a.N));
  if ('BOOL' in a) return a.BOOL;
  if ('NULL' in a) return null;
  if ('L' in a) return (a.L as DynamoItem[string][]).map(fromAttributeValue);
  if ('M' in a) return unmarshalItem(a.M as DynamoItem);
  if ('SS' in a) return a.SS;
  if ('NS' in a) return (a.NS as string[]).map(numberOf);
  if ('B' in a) return Buffer.from(a.B as Uint8Array).toString('base64');
  if ('BS' in a) return (a.BS as Uint8Array[]).map((b) => Buffer.from(b).toString('base64'));
  return undefined;
}

/** Whether a JSON value is an AttributeValue ({"S": "x"}: one key, a type descriptor). */
function isAttributeValue(v: unknown): boolean {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && DESCRIPTORS.has(keys[0] as string);
}

/** DynamoDB JSON from a file: B and BS arrive base64-encoded (as the AWS CLI writes them) and become bytes. */
function decodeItem(item: Record<string, unknown>): DynamoItem {
  const decode = (v: Record<string, unknown>): Record<string, unknown> => {
    if ('B' in v) return { B: Buffer.from(String(v.B), 'base64') };
    if ('BS' in v) return { BS: (v.BS as string[]).map((b) => Buffer.from(b, 'base64')) };
    if ('M' in v) return { M: decodeItem(v.M as Record<string, unknown>) };
    if ('L' in v) return { L: (v.L as Array<Record<string, unknown>>).map(decode) };
    return v;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, decode(v as Record<string, unknown>)])) as unknown as DynamoItem;
}

export interface SeedItems {
  /** 'plain' (marshalled here) or 'dynamodb' (DynamoDB JSON, sent as written). */
  format: 'plain' | 'dynamodb';
  /** Items per table name. */
  tables: Map<string, DynamoItem[]>;
}

/**
 * Reads a seed file. Accepted shapes:
 *  - `[ {plain item}, ... ]`: plain JSON items for `defaultTable`;
 *  - `{"Items": [ {DynamoDB JSON item}, ... ]}`: the output of `aws dynamodb scan`, for `defaultTable`;
 *  - `{"<table>": [ {"PutRequest": {"Item": {...}}}, ... ], ...}`: the request items of
 *    `aws dynamodb batch-write-item --request-items file://...`, for the tables named.
 * Errors name the file and the item (one line, exit 1).
 */
export function parseSeed(text: string, file: string, defaultTable: string): SeedItems {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `not valid JSON (${(error as Error).message})`);
  }
  const tables = new Map<string, DynamoItem[]>();
  if (Array.isArray(data)) {
    // Plain numbers pass through JavaScript's doubles: one that does not survive (9007199254740993) would be
    // stored as another number. DynamoDB JSON carries N as a string and keeps all its 38 digits.
    const lossy = inexactNumbers(text)[0];
    if (lossy !== undefined) {
      throw new CruddurError(`${file}: the number ${lossy} would be stored as ${String(Number(lossy))} (a plain JSON number keeps about 15-17 digits; DynamoDB keeps 38)`, {
        suggestion: `write it as a string, or write the file as DynamoDB JSON where numbers are strings ({"N": "${lossy}"}), as \`aws dynamodb scan\` prints it`,
        code: 'DDB_BAD_SEED',
      });
    }
    const items = data.map((entry, i) => {
      if (!isObject(entry)) throw invalid(file, `item ${i + 1} is not a JSON object`);
      try {
        return marshalItem(entry, `item ${i + 1}`);
      } catch (error) {
        throw invalid(file, (error as Error).message);
      }
    });
    tables.set(defaultTable, items);
    return { format: 'plain', tables };
  }
  if (!isObject(data)) throw invalid(file, 'must be a JSON array or object');
  const checkItem = (entry: unknown, where: string): DynamoItem => {
    if (!isObject(entry)) throw invalid(file, `${where} is not a JSON object`);
    for (const [name, value] of Object.entries(entry)) {
      if (!isAttributeValue(value)) throw invalid(file, `${where}: attribute "${name}" is not DynamoDB JSON (like {"S": "text"} or {"N": "1"})`);
    }
    return decodeItem(entry);
  };
  if (Array.isArray(data.Items)) {
    tables.set(defaultTable, data.Items.map((entry, i) => checkItem(entry, `Items[${i}]`)));
    return { format: 'dynamodb', tables };
  }
  for (const [table, requests] of Object.entries(data)) {
    if (!Array.isArray(requests)) throw invalid(file, `"${table}" must be an array of {"PutRequest": {"Item": ...}}`);
    tables.set(
      table,
      requests.map((r, i) => {
        const item = isObject(r) && isObject(r.PutRequest) ? r.PutRequest.Item : undefined;
        if (item === undefined) throw invalid(file, `${table}[${i}] is not {"PutRequest": {"Item": ...}} (only puts can seed)`);
        return checkItem(item, `${table}[${i}]`);
      }),
    );
  }
  if (tables.size === 0) throw invalid(file, 'holds no items');
  return { format: 'dynamodb', tables };
}

/** A decimal number's value as sign, significant digits and exponent: `1.50e2` and `150` give the same. */
function decimalKey(token: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!m) return token;
  const digits = `${m[2]}${m[3] ?? ''}`;
  const exponent = Number(m[4] ?? 0) - (m[3] ?? '').length;
  const trimmedLeft = digits.replace(/^0+/, '');
  if (trimmedLeft === '') return '0';
  const significant = trimmedLeft.replace(/0+$/, '');
  return `${m[1]}${significant}e${exponent + (trimmedLeft.length - significant.length)}`;
}

/**
 * The number tokens of a JSON text (outside strings) whose value changes on the way through a double:
 * `9007199254740993` (stored as ...992), `0.12345678901234567891`. Round-tripping values (`0.1`, `1e21`) pass.
 */
export function inexactNumbers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    const token = m[0];
    if (token.startsWith('"')) continue;
    const value = Number(token);
    if (Number.isFinite(value) && decimalKey(token) !== decimalKey(String(value))) found.push(token);
  }
  return found;
}

/**
 * Keeps the last item of each primary key (a BatchWriteItem may not name one key twice, and a later line
 * of a seed file is taken to correct an earlier one). Items missing a key attribute are an error.
 */
export function uniqueByKey(items: DynamoItem[], key: string[], where: string, attributeTypes: Record<string, string> = {}): { items: DynamoItem[]; duplicates: number } {
  const byKey = new Map<string, DynamoItem>();
  const TYPE_NAMES: Record<string, string> = { S: 'a string', N: 'a number', B: 'binary', BOOL: 'a boolean', NULL: 'null', L: 'a list', M: 'a map', SS: 'a string set', NS: 'a number set', BS: 'a binary set' };
  items.forEach((item, i) => {
    const missing = key.find((k) => item[k] === undefined);
    if (missing) {
      throw new CruddurError(`${where}: item ${i + 1} has no "${missing}" (the table's key is ${key.join(', ')})`, {
        suggestion: `add "${missing}" to every item, or seed the table whose key it matches`,
        code: 'DDB_BAD_SEED',
      });
    }
    // A key attribute of the table or of an index must have its declared type: DynamoDB refuses the whole
    // batch with a ValidationException that names no item.
    for (const [name, type] of Object.entries(attributeTypes)) {
      const value = item[name];
      if (value === undefined) continue;
      const actual = Object.keys(value)[0] ?? '';
      if (actual !== type) {
        const role = key.includes(name) ? 'key attribute' : 'index key attribute';
        throw new CruddurError(`${where}: item ${i + 1}: "${name}" is ${TYPE_NAMES[actual] ?? actual} (${actual}), but the table's ${role} ${name} is ${TYPE_NAMES[type] ?? type} (${type})`, {
          suggestion: `write "${name}" as ${TYPE_NAMES[type] ?? type} in every item${type === 'S' ? ' (quote it: "1")' : ''}, or change the table definition`,
          code: 'DDB_BAD_SEED',
        });
      }
    }
    const id = JSON.stringify(key.map((k) => item[k]));
    byKey.delete(id);
    byKey.set(id, item);
  });
  return { items: [...byKey.values()], duplicates: items.length - byKey.size };
}
