// What looks like a secret without a sensitivity mask saying so. Plans written before Terraform
// 0.15 carry no masks, providers leave some secrets unmarked, and many secrets travel inside
// values a mask cannot see into: env lists of name/value pairs, JSON documents in a string,
// connection strings, URLs with a password. Over-redaction costs a reader a value;
// under-redaction leaks a credential into a PR comment.

/** Words that name a secret on their own, in the singular (`secrets` is `secret`). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'clientsecret',
  'accountkey',
  'sharedaccesskey',
  'connectionstring',
]);

/** Two words that name a secret together: `private_key`, `connection_strings`, `apiKey`. */
const SECRET_PAIRS = new Set([
  'private key',
  'api key',
  'access key',
  'secret key',
  'client secret',
  'connection string',
]);

/**
 * Two words that name a key, unless a metadata word follows them (`kms_master_key_id` and
 * `customer_master_key_spec` name a key's id and kind; `primary_master_key` is the key).
 */
const KEY_PAIRS = new Set([
  'client key',
  'account key',
  'shared key',
  'master key',
  'auth key',
  'raw key',
  'customer key',
  'signing key',
]);
const METADATA_WORDS = new Set(['id', 'arn', 'spec', 'type', 'name', 'version', 'usage']);

/**
 * True when a key or a variable name names a secret: `password`, `db_password`, `API_TOKEN`,
 * `clientSecret`, `auth.rootPassword`, `tokens`, `connection_strings`.
 */
export function isSecretName(name: string): boolean {
  let known = secretNames.get(name);
  if (known === undefined) {
    known = namesSecret(name);
    // Attribute names repeat across resources; a bounded cache saves the word split per value.
    if (secretNames.size >= 10_000) secretNames.clear();
    secretNames.set(name, known);
  }
  return known;
}

const secretNames = new Map<string, boolean>();

/** Names that look secret and are known not to be: EC2 `metadata_options.http_tokens` (IMDSv2). */
const NOT_SECRET = new Set(['http_tokens']);

/**
 * Every word and pair above contains one of these, and splitting a name into words only removes
 * substrings: a name without any of them names no secret. Most names tested are the values of
 * `name` keys (isSecretPair), unique per resource, so this test, not the cache, is what they cost.
 */
const MAYBE_SECRET_NAME = /pass|pwd|secret|token|credential|key|string/i;

function namesSecret(name: string): boolean {
  if (NOT_SECRET.has(name) || !MAYBE_SECRET_NAME.test(name)) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2') // camelCase
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2') // DBPassword
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  let prev = '';
  for (let i = 0; i < words.length; i++) {
    const word = singular(words[i] as string);
    if (SECRET_WORDS.has(word)) return true;
    const pair = `${prev} ${word}`;
    if (SECRET_PAIRS.has(pair)) return true;
    if (KEY_PAIRS.has(pair) && !METADATA_WORDS.has(words[i + 1] ?? '')) return true;
    prev = word;
  }
  return false;
}

function singular(w: string): string {
  return w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w;
}

// Credentials inside text: a name that ends in a secret word or pair as above (DB_PASSWORD,
// AccountKey, connection_string), then `=` or `:` and the value, which ends at the usual
// separators of connection strings, query strings, shell lines and YAML, or at its closing
// quote. `sig` and `SharedAccessSignature` are the secrets of SAS URLs and connection strings.
const TEXT_NAMES = [
  ...SECRET_WORDS,
  ...[...SECRET_PAIRS, ...KEY_PAIRS].map((p) => p.replace(' ', '[_.-]?')),
  'sharedaccesssignature',
  'sig',
];
// The name's prefix (`DB_` in DB_PASSWORD) is not matched: it stays in the text anyway, and a lazy
// `\b[A-Za-z0-9_.-]*?` before the words made every word boundary a backtracking start (the same
// output on the 167,233 strings of the fixture plans and a generated one, 35% less time).
const NAME_IN_TEXT = String.raw`(?:${TEXT_NAMES.join('|')})s?`;
const CREDENTIAL_PATTERNS = [
  // scheme://user:password@host
  String.raw`(\b[a-z][a-z0-9+.-]*://[^\s/?#@:]*:)([^\s/?#@]+)(?=@)`,
  // "password": "…" and password="…" (the value runs to its closing quote)
  String.raw`(${NAME_IN_TEXT}(?:"\s*:\s*|\s*=\s*|:\s+)")((?:[^"\\]|\\.)+)`,
  String.raw`(${NAME_IN_TEXT}(?:'\s*:\s*|\s*=\s*|:\s+)')([^']+)`,
  // Password=…; token=…& password: … (YAML needs the space: `secret:name` in an ARN is not one)
  String.raw`(${NAME_IN_TEXT}(?:\s*=\s*|["']\s*:\s*|:\s+))([^\s;&,"'<>]+)`,
  // Authorization: Bearer …
  String.raw`(\bbearer\s+)([A-Za-z0-9._~+/-]+=*)`,
];
const ALTERNATIVES = CREDENTIAL_PATTERNS.length;
const CREDENTIAL_IN_TEXT = new RegExp(CREDENTIAL_PATTERNS.join('|'), 'gi');

/** Cheap test before the full pattern: text without any of these holds no credential it finds. */
const MAYBE_CREDENTIAL = /p(?:ass|wd)|secret|token|credential|key|string|sig|bearer|@/i;

/** True when `s` may hold a credential that redactCredentials would hide (a cheap test). */
export function mayHoldCredential(s: string): boolean {
  return s.length >= 5 && MAYBE_CREDENTIAL.test(s);
}

/** `s` with the value of every credential found in it replaced by `placeholder`. */
export function redactCredentials(s: string, placeholder: string): string {
  if (!mayHoldCredential(s)) return s;
  return s.replace(CREDENTIAL_IN_TEXT, (...m: (string | undefined)[]) => {
    // Each alternative captures (what stays)(the secret): the first defined pair matched.
    for (let g = 1; g < 2 * ALTERNATIVES; g += 2) {
      if (m[g] !== undefined) return `${m[g]}${placeholder}`;
    }
    return m[0] as string;
  });
}

/** Keys that name the variable in a name/value pair (`env: [{name: "API_TOKEN", value: …}]`). */
export const PAIR_NAME_KEYS: readonly string[] = ['name', 'key', 'Name', 'Key'];
/** Keys that hold the variable's value in such a pair. */
export const PAIR_VALUE_KEYS: ReadonlySet<string> = new Set(['value', 'Value']);
