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
 * GitHub Actions' OIDC claim keys in trust policies (`token.actions.githubusercontent.com:sub`):
 * the issuer's host holds the word "token", but the values are repository and branch patterns,
 * which the broad-access rule must read (`repo:*` lets every repository on GitHub in).
 */
const OIDC_CLAIM = /^token\.actions\.githubusercontent\.com:[a-z_]+$/;

/**
 * Every word and pair above contains one of these, and splitting a name into words only removes
 * substrings: a name without any of them names no secret. Most names tested are the values of
 * `name` keys (isSecretPair), unique per resource, so this test, not the cache, is what they cost.
 */
const MAYBE_SECRET_NAME = /pass|pwd|secret|token|credential|key|string/i;

function namesSecret(name: string): boolean {
  if (NOT_SECRET.has(name) || OIDC_CLAIM.test(name) || !MAYBE_SECRET_NAME.test(name)) return false;
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
  // Authorization: Basic … (base64 of `user:password`, last: redactCredentials decodes it, so
  // "Basic authentication" in a description stays).
  String.raw`(\bbasic\s+)([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])`,
];
const BASIC_ALTERNATIVE = CREDENTIAL_PATTERNS.length - 1;
const CREDENTIAL_IN_TEXT = new RegExp(CREDENTIAL_PATTERNS.join('|'), 'gi');

// Secrets recognised by how they look, wherever they are: under a key with no secret's name
// (`STRIPE_SK`, `user_data`, `client-key-data` in a YAML document), in a script, in a header.
// A small subset ported from the maintained rule sets, each cited by rule id: gitleaks
// (github.com/gitleaks/gitleaks, cmd/generate/config/rules/*.go) and secretlint
// (@secretlint/secretlint-rule-preset-recommend). Not the packages themselves: secretlint's
// rules are asynchronous linters over files, gitleaks is Go with ~200 rules (most gated by a
// keyword and an entropy threshold), and this walk must be pure, synchronous, replace the
// secret in place, and run on every string of a 355 MB plan. Only formats with a fixed prefix or
// shape are taken, which have almost no false positives: on the 162 fixture plans (150,824
// strings) they newly match 8 strings, all AWS's documented example key id or a Stripe test key.
// Each pattern captures (what stays)(the secret), as the name patterns above.
interface LookRule {
  /** The rule it ports, for the reader who wants the source and its tests. */
  from: string;
  pattern: string;
  /** A second look at the secret the pattern found; false keeps it. */
  check?: (secret: string) => boolean;
}
const LOOK_RULES: LookRule[] = [
  {
    // The body of a PEM private key (RSA, EC, OpenSSH, PKCS#8, encrypted, PGP); the header stays
    // to say what was there. A block cut short hides everything after its header.
    from: 'gitleaks private-key; secretlint-rule-privatekey',
    pattern: String.raw`(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)([\s\S]+?)(?=-----END[ A-Z0-9_-]{0,100}PRIVATE KEY|$)`,
  },
  {
    // A PEM private key in base64 (kubeconfig `client-key-data`, a Kubernetes TLS secret's
    // `tls.key`): "LS0tLS1CRUdJTi" is "-----BEGIN"; certificates (public) look the same, so
    // the decoded header must say PRIVATE KEY.
    from: 'applygate (kubeconfig client-key-data)',
    pattern: String.raw`()(LS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}={0,2})`,
    check: (s) => decodedBase64(s.slice(0, 80)).includes('PRIVATE KEY'),
  },
  {
    from: 'gitleaks aws-access-token; secretlint-rule-aws AWSAccessKeyID',
    pattern: String.raw`()(\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b)`,
  },
  {
    from: 'gitleaks github-pat, github-oauth, github-app-token, github-refresh-token, github-fine-grained-pat; secretlint-rule-github',
    pattern: String.raw`()(\b(?:gh[pousr]_[0-9A-Za-z]{36,255}|github_pat_\w{82})\b)`,
  },
  {
    from: 'gitleaks gitlab-pat',
    pattern: String.raw`()(\bglpat-[\w-]{20,})`,
  },
  {
    from: 'gitleaks slack-bot-token, slack-user-token, slack-legacy-*; secretlint-rule-slack',
    pattern: String.raw`()(\bxox[abeoprs]-[0-9A-Za-z-]{10,})`,
  },
  {
    from: 'gitleaks slack-app-token',
    pattern: String.raw`()(\bxapp-\d-[A-Za-z0-9]+-\d+-[A-Za-z0-9]+)`,
  },
  {
    from: 'gitleaks slack-webhook-url; secretlint-rule-slack IncomingWebhook',
    pattern: String.raw`(hooks\.slack\.com/(?:services|workflows|triggers)/)([A-Za-z0-9+/]{20,})`,
  },
  {
    from: 'gitleaks stripe-access-token',
    pattern: String.raw`()(\b[rs]k_(?:live|test|prod)_[A-Za-z0-9]{10,99}\b)`,
  },
  {
    from: 'gitleaks gcp-api-key; secretlint-rule-gcp',
    pattern: String.raw`()(\bAIza[\w-]{35}(?![\w-]))`,
  },
  {
    from: 'gitleaks jwt',
    pattern: String.raw`()(\bey[A-Za-z0-9_-]{17,}\.ey[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]*={0,2})`,
  },
  {
    from: 'gitleaks npm-access-token; secretlint-rule-npm',
    pattern: String.raw`()(\bnpm_[A-Za-z0-9]{36}\b)`,
  },
  {
    from: 'gitleaks sendgrid-api-token; secretlint-rule-sendgrid',
    pattern: String.raw`()(\bSG\.[\w-]{22}\.[\w-]{43}(?![\w-]))`,
  },
  {
    from: 'gitleaks openai-api-key, anthropic-api-key; secretlint-rule-openai, -anthropic',
    pattern: String.raw`()(\bsk-(?:ant-[a-z]+\d{2}-[\w-]{80,}|[\w-]{20,}T3BlbkFJ[\w-]{20,}))`,
  },
  {
    // Terraform Cloud / Enterprise API tokens and Vault tokens: what a Terraform pipeline holds.
    from: 'gitleaks hashicorp-tf-api-token, vault-service-token, vault-batch-token',
    pattern: String.raw`()(\b[A-Za-z0-9]{14}\.atlasv1\.[\w=-]{60,70}|\bhv[sb]\.[\w-]{90,})`,
  },
];
const LOOK_IN_TEXT = new RegExp(LOOK_RULES.map((r) => r.pattern).join('|'), 'g');

/** Cheap tests before the full patterns: text without any of these holds no credential they find. */
const MAYBE_NAMED = /p(?:ass|wd)|secret|token|credential|key|string|sig|bearer|basic|@/i;
// Case-sensitive, as the look rules are: one literal each, mostly a fixed prefix.
const MAYBE_LOOK =
  /-----BEGIN|LS0tLS1CRUdJTi|A(?:KIA|SIA|3T|BIA|CCA)|gh[pousr]_|github_pat_|glpat-|xox|xapp-|hooks\.slack|k_(?:live|test|prod)_|AIza|\.ey|npm_|SG\.|sk-|atlasv1|hv[sb]\./;

/** True when `s` may hold a credential that redactCredentials would hide (a cheap test). */
export function mayHoldCredential(s: string): boolean {
  return s.length >= 5 && (MAYBE_NAMED.test(s) || MAYBE_LOOK.test(s));
}

/** `s` with the value of every credential found in it, by name or by look, replaced by `placeholder`. */
export function redactCredentials(s: string, placeholder: string): string {
  if (s.length < 5) return s;
  // Each set of patterns runs only where its own cheap test passes: every named pattern holds
  // one of MAYBE_NAMED's words (or the `@` of a URL's password), every look pattern one of
  // MAYBE_LOOK's literals. Text with a key id or an email in it (most of what passes the
  // cheap tests) no longer pays for the look rules, nor a JWT for the names.
  const named = !MAYBE_NAMED.test(s)
    ? s
    : s.replace(CREDENTIAL_IN_TEXT, (...m: (string | undefined)[]) =>
        replaced(m, CREDENTIAL_PATTERNS.length, placeholder, (a, secret) =>
          a === BASIC_ALTERNATIVE ? decodedBase64(secret).includes(':') : true,
        ),
      );
  if (!MAYBE_LOOK.test(named)) return named;
  return named.replace(LOOK_IN_TEXT, (...m: (string | undefined)[]) =>
    replaced(
      m,
      LOOK_RULES.length,
      placeholder,
      (a, secret) => LOOK_RULES[a]?.check?.(secret) ?? true,
    ),
  );
}

/** A match's text with its secret replaced: each alternative captures (what stays)(the secret). */
function replaced(
  m: (string | undefined)[],
  alternatives: number,
  placeholder: string,
  check: (alternative: number, secret: string) => boolean,
): string {
  for (let a = 0; a < alternatives; a++) {
    const keep = m[2 * a + 1];
    if (keep === undefined) continue;
    return check(a, m[2 * a + 2] as string) ? `${keep}${placeholder}` : (m[0] as string);
  }
  return m[0] as string;
}

/** The text base64 `s` decodes to (Latin-1; only ASCII is looked for), '' when it is not base64. */
function decodedBase64(s: string): string {
  const whole = s.slice(0, s.length - (s.length % 4));
  try {
    return atob(whole);
  } catch {
    return '';
  }
}

/** Keys that name the variable in a name/value pair (`env: [{name: "API_TOKEN", value: …}]`). */
export const PAIR_NAME_KEYS: readonly string[] = ['name', 'key', 'Name', 'Key'];
/** Keys that hold the variable's value in such a pair. */
export const PAIR_VALUE_KEYS: ReadonlySet<string> = new Set(['value', 'Value']);
