// What every fuzz case must satisfy, checked the same way by every suite.
//
// parsePlan either returns a plan or a PlanError whose message is `<file>: <reason>`, the reason
// one of the documented refusals (REFUSALS), on one line, short, quoting no secret; it never
// throws. When it returns a plan: no sensitive value in the model, the markdown, the text or the
// JSON; the model's values are JSON and keep every attribute; the markdown is within budget, with
// exactly one marker, on its last line, holding every project's digest, and nothing else that is
// an HTML comment, a mention or an unbalanced <details>; the JSON's digests and counts agree with
// the plans; and the digest follows the document (checkDigest).
//
// Which values are sensitive is decided here, from the document, independently of
// src/core/plan/redact.ts, and conservatively: a value counts only if it sits under a `true`
// of a mask whose shape agrees with the value all the way down (or in an output marked
// sensitive). The values checked are the planted canaries `S3CR3T-<random>`: their random tails
// cannot turn up in an output by chance, and escaping cannot hide them (they are alphanumeric).
import { DEFAULT_CONFIG, type Config } from '../../src/core/config.js';
import { decodeMarker, mentionsMarker } from '../../src/core/marker.js';
import {
  decodePlanBytes,
  parsePlan,
  type Plan,
  type PlanError,
} from '../../src/core/plan/index.js';
import {
  GITHUB_COMMENT_MAX_CHARS,
  renderMarkdown,
  renderText,
  type MarkdownOptions,
} from '../../src/core/render/index.js';
import { buildReport, reportJson } from '../../src/core/report.js';
import { MARKER_LINE, mentionsOutsideCode } from '../core/render/checks.js';

type Obj = Record<string, unknown>;

export const CANARY_PREFIX = 'S3CR3T-';
const CANARY_TAIL = /S3CR3T-([A-Za-z0-9]{8,})/g;

export function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A failed check (as opposed to a crash of the code under test). */
export class FuzzFailure extends Error {}

function check(cond: unknown, msg: () => string): asserts cond {
  if (!cond) throw new FuzzFailure(msg());
}

// ---------------------------------------------------------------------------------------------
// Counting

export class Stats {
  cases = 0;
  crashes = 0;
  refusals = 0;
  plans = 0;
  rendered = 0;
  /** Markdown budgets below the documented minimum (rendered again with the default). */
  tooSmall = 0;
  /** Rendered cases that held at least one checkable planted secret. */
  withSecrets = 0;
  slowestMs = 0;
  slowest = '';
  /** Wall time of the suite. */
  elapsedMs = 0;
  readonly reasons = new Map<string, number>();

  add(o: Stats): void {
    this.cases += o.cases;
    this.crashes += o.crashes;
    this.refusals += o.refusals;
    this.plans += o.plans;
    this.rendered += o.rendered;
    this.withSecrets += o.withSecrets;
    this.tooSmall += o.tooSmall;
    this.elapsedMs += o.elapsedMs;
    if (o.slowestMs > this.slowestMs) {
      this.slowestMs = o.slowestMs;
      this.slowest = o.slowest;
    }
    for (const [k, v] of o.reasons) this.reasons.set(k, (this.reasons.get(k) ?? 0) + v);
  }

  line(label: string): string {
    return (
      `${label}: ${this.cases} cases, ${this.crashes} crashes, ${this.refusals} clear refusals` +
      ` in ${(this.elapsedMs / 1000).toFixed(1)} s` +
      ` (${this.plans} plans read, ${this.rendered} rendered, ${this.withSecrets} with planted secrets checked;` +
      ` slowest case ${this.slowestMs.toFixed(0)} ms${this.slowest ? `: ${this.slowest}` : ''})`
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The refusals parsePlan documents, by reason (the message is `<file>: <reason>`).

export const REFUSALS: readonly [string, RegExp][] = [
  ['empty', /^the file is empty; expected the output of `terraform show -json`$/],
  ['binary plan', /^this is a binary plan file \(terraform plan -out\); convert it with /],
  ['human-readable plan', /^this is a human-readable plan, not JSON; save the plan with /],
  ['not JSON', /^not JSON: expected the output of `terraform show -json plan\.out`$/],
  [
    'truncated JSON',
    /^the JSON ends early \(was the file truncated\?\): it stops at line \d+, column \d+$/,
  ],
  ['invalid JSON', /^not valid JSON at line \d+, column \d+: [a-z]/],
  ['plan -json log', /^this is the log of `terraform plan -json` \(one JSON message per line\)/],
  ['several plans', /^this file holds several plans one after another, as `terragrunt run-all /],
  ['several documents', /^this file holds several JSON documents one after another, the first /],
  ['not an object', /^expected a JSON object at the top level$/],
  ['state file', /^this is a Terraform state file, not a plan; run `terraform show -json/],
  ['no format_version', /^no `format_version`: this is not the output of `terraform show -json`$/],
  ['bad format_version', /^`format_version` is .{1,60}; expected a version string such as "1\.2"$/],
  ['unsupported version', /^plan format version \d.{0,20} is not supported \(applygate reads /],
  ['state JSON', /^this is the JSON of a state \(`terraform show -json` without a plan file\)/],
  [
    'empty state JSON',
    /^this is the JSON of an empty state \(`terraform show -json` without a plan /,
  ],
  ['not a plan', /^no `planned_values` or `resource_changes`: this is not a plan$/],
  [
    'too deep',
    /^`(resource_changes\[\d+\]|action_invocations|deferred_changes|output_changes\.[^\n]{0,101})` is nested more than 512 levels deep \(real plans nest /,
  ],
  ['wrong section type', /^`[a-z_]+` must be an (array|object), found (null|an array|a \w+)$/],
  ['entry not an object', /^`(resource_changes|resource_drift)\[\d+\]` must be an object$/],
  ['output not an object', /^`output_changes\.[^\n]{0,101}` must be an object$/],
  [
    'missing string',
    /^`(resource_changes|resource_drift)\[\d+\]\.(address|type)` must be a non-empty string, found /,
  ],
  ['change not an object', /^`resource_changes\[\d+\]\.change` must be an object \(resource /],
  [
    'bad actions',
    /^`(resource_changes\[\d+\]\.change|output_changes\.[^\n]{0,101})\.actions` must be a non-empty list of strings$/,
  ],
  [
    'unknown actions',
    /^`(resource_changes\[\d+\]\.change|output_changes\.[^\n]{0,101})\.actions` is \[[^\n]*\]( \(and \d+ more\))?, which Terraform does not produce/,
  ],
];

/** Refusals of files that JSON.parse rejects (or that are never handed to it). */
const TEXT_LEVEL =
  /^(the file is empty|this is a binary plan|this is a human-readable plan|not JSON|the JSON ends early|not valid JSON|this is the log of `terraform plan -json`|this file holds several)/;

/** Longest reason we accept: the longest template with every quoted piece at its cap. */
const REASON_MAX = 900;
/** What a refusal may not hold: controls (line breaks included) and bidi controls. */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

function checkRefusal(error: PlanError, file: string, doc: unknown, stats: Stats): void {
  check(error.file === file, () => `PlanError.file is ${error.file}, not ${file}`);
  check(
    error.message.startsWith(`${file}: `),
    () => `message does not start with the file name: ${error.message}`,
  );
  const reason = error.message.slice(file.length + 2);
  check(reason === error.reason, () => `message is not "<file>: <reason>": ${error.message}`);
  const kind = REFUSALS.find(([, re]) => re.test(reason));
  check(kind, () => `not a documented refusal: ${JSON.stringify(reason.slice(0, 300))}`);
  check(
    reason.length <= REASON_MAX,
    () => `refusal is ${reason.length} characters long: ${reason.slice(0, 200)}…`,
  );
  check(!UNSAFE.test(reason), () => `refusal holds a control character: ${JSON.stringify(reason)}`);
  if (doc === undefined) {
    // Nothing from a file that is not JSON may be quoted: V8 quotes the text around the error.
    check(!reason.includes('S3CR3T'), () => `refusal of a non-JSON file quotes it: ${reason}`);
  } else {
    for (const t of secretTokens(doc).checkable) {
      check(!reason.includes(t), () => `refusal quotes a sensitive value (${t}): ${reason}`);
    }
  }
  stats.refusals++;
  stats.reasons.set(kind[0], (stats.reasons.get(kind[0]) ?? 0) + 1);
}

// ---------------------------------------------------------------------------------------------
// Sensitive values, from the document

export interface Tokens {
  /** Canary tails only in sensitive positions: none may reach any output. */
  checkable: string[];
}

/**
 * The canary tails that sit in sensitive positions and nowhere that may be shown (addresses,
 * types, keys, reasons, unmasked values of resource and output changes, drift). Positions
 * applygate never reads (planned_values, prior_state, configuration, ...) count as neither.
 */
export function secretTokens(doc: unknown): Tokens {
  if (!isObj(doc)) return { checkable: [] };
  const secret = new Set<string>();
  const shown: string[] = [];
  // Canary tails are 8 characters or more: shorter strings cannot hold one.
  const show = (x: string) => {
    if (x.length >= 8) shown.push(x);
  };
  const hide = (x: string) => {
    if (x.length >= 8) secret.add(x);
  };
  const declared = declaredSensitive(doc);
  const rcs = Array.isArray(doc.resource_changes) ? doc.resource_changes : [];
  for (const rc of rcs) {
    if (!isObj(rc)) {
      strings(rc, show);
      continue;
    }
    for (const [k, v] of Object.entries(rc)) {
      show(k);
      if (k !== 'change' || !isObj(v)) {
        strings(v, show);
        continue;
      }
      for (const [ck, cv] of Object.entries(v)) {
        show(ck);
        if (ck === 'before' || ck === 'after') {
          masked(cv, v[`${ck}_sensitive`], hide, show);
        } else {
          strings(cv, show);
        }
      }
    }
  }
  if (isObj(doc.output_changes)) {
    for (const [name, oc] of Object.entries(doc.output_changes)) {
      show(name);
      if (!isObj(oc)) {
        strings(oc, show);
        continue;
      }
      const sensitive =
        oc.sensitive === true ||
        declared.has(name) ||
        hasTrue(oc.before_sensitive) ||
        hasTrue(oc.after_sensitive);
      for (const [k, v] of Object.entries(oc)) {
        show(k);
        strings(v, sensitive && (k === 'before' || k === 'after') ? hide : show);
      }
    }
  } else {
    strings(doc.output_changes, show);
  }
  for (const key of ['resource_drift', 'format_version', 'terraform_version']) {
    strings(doc[key], show);
  }
  const tails = [...secret].flatMap((x) => [...x.matchAll(CANARY_TAIL)].map((m) => m[1]!));
  if (tails.length === 0) return { checkable: [] };
  const shownText = shown.join('\u0000');
  return { checkable: [...new Set(tails.filter((t) => !shownText.includes(t)))] };
}

/** Strings under `value`, sorted into sensitive (under a `true` of a same-shaped mask) and shown. */
function masked(
  value: unknown,
  mask: unknown,
  hide: (s: string) => void,
  show: (s: string) => void,
): void {
  const work: [unknown, unknown][] = [[value, mask]];
  for (let item = work.pop(); item; item = work.pop()) {
    const [v, m] = item;
    if (m === true) {
      strings(v, hide);
    } else if (Array.isArray(v) && Array.isArray(m)) {
      v.forEach((x, i) => work.push([x, m[i]]));
    } else if (isObj(v) && isObj(m)) {
      for (const [k, x] of Object.entries(v)) {
        show(k);
        work.push([x, Object.hasOwn(m, k) ? m[k] : undefined]);
      }
    } else {
      strings(v, show);
    }
  }
}

/** Every string (keys included) under `v`, iteratively. */
function strings(v: unknown, add: (s: string) => void): void {
  const work: unknown[] = [v];
  while (work.length > 0) {
    const x = work.pop();
    if (typeof x === 'string') {
      add(x);
    } else if (Array.isArray(x)) {
      for (const y of x) work.push(y);
    } else if (isObj(x)) {
      for (const [k, y] of Object.entries(x)) {
        add(k);
        work.push(y);
      }
    }
  }
}

function hasTrue(mask: unknown): boolean {
  const work: unknown[] = [mask];
  while (work.length > 0) {
    const m = work.pop();
    if (m === true) return true;
    if (Array.isArray(m)) for (const x of m) work.push(x);
    else if (isObj(m)) for (const x of Object.values(m)) work.push(x);
  }
  return false;
}

/** Outputs the plan declares sensitive, by the places Terraform declares them. */
function declaredSensitive(doc: Obj): Set<string> {
  const names = new Set<string>();
  const collect = (outputs: unknown) => {
    if (!isObj(outputs)) return;
    for (const [name, o] of Object.entries(outputs))
      if (isObj(o) && o.sensitive === true) names.add(name);
  };
  const pv = doc.planned_values;
  if (isObj(pv)) collect(pv.outputs);
  const ps = doc.prior_state;
  if (isObj(ps) && isObj(ps.values)) collect(ps.values.outputs);
  const cfg = doc.configuration;
  if (isObj(cfg) && isObj(cfg.root_module)) collect(cfg.root_module.outputs);
  return names;
}

// ---------------------------------------------------------------------------------------------
// The digest

/** Canonical text of a JSON value: object keys sorted (an independent reimplementation). */
export function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export interface DigestBasis {
  digest: string;
  /** What digest v2 covers, with the actionable resource changes in document order, canonical. */
  ordered: string;
  /** The same with the resource changes as a sorted multiset. */
  multiset: string;
}

/**
 * Digest v2's contract, written independently: a resource change counts unless its actions are
 * a plain `["no-op"]` (not importing, not moved) or `["read"]`, and only its address, deposed
 * key, actions, before, after, after_unknown, importing and previous_address matter; output
 * changes count unless they are no-ops; action invocations and deferred changes count as
 * multisets; so do `errored` and `complete`.
 */
export function digestBasis(doc: Obj, digest: string): DigestBasis {
  const rcs = Array.isArray(doc.resource_changes)
    ? doc.resource_changes.filter(actionable).map((r) => stable(hashedFields(r)))
    : [];
  const outputs = isObj(doc.output_changes)
    ? Object.fromEntries(
        Object.entries(doc.output_changes).filter(
          ([, o]) => !(isObj(o) && stable(o.actions) === '["no-op"]'),
        ),
      )
    : {};
  const multiset = (v: unknown) => (Array.isArray(v) ? v.map(stable).sort() : v);
  const head = stable({
    a: multiset(doc.action_invocations ?? []),
    c: doc.complete !== false,
    d: multiset(doc.deferred_changes ?? []),
    e: doc.errored === true,
    o: outputs,
  });
  return {
    digest,
    ordered: `${head}\u0000${rcs.join('\u0001')}`,
    multiset: `${head}\u0000${rcs.sort().join('\u0001')}`,
  };
}

function actionable(r: unknown): boolean {
  if (!isObj(r) || !isObj(r.change)) return true;
  const a = stable(r.change.actions);
  if (a === '["read"]') return false;
  if (a !== '["no-op"]') return true;
  return isObj(r.change.importing) || typeof r.previous_address === 'string';
}

function hashedFields(r: unknown): Obj {
  const top = isObj(r) ? r : {};
  const c = isObj(top.change) ? top.change : {};
  const out: Obj = {};
  const fields: [string, unknown][] = [
    ['address', top.address],
    ['deposed', top.deposed],
    ['previous_address', top.previous_address],
    ['actions', c.actions],
    ['before', c.before],
    ['after', c.after],
    ['after_unknown', c.after_unknown],
    ['importing', c.importing],
  ];
  for (const [k, v] of fields) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The digest follows what would be applied: the same resource and output changes (whatever the
 * encoding, formatting or key order) give the seed's digest; different ones never do.
 */
function checkDigest(doc: Obj, digest: string, seed: DigestBasis): void {
  const now = digestBasis(doc, digest);
  if (now.ordered === seed.ordered) {
    check(digest === seed.digest, () => 'same changes, different digest');
  } else if (now.multiset !== seed.multiset) {
    check(digest !== seed.digest, () => 'different changes, same digest');
  }
}

// ---------------------------------------------------------------------------------------------
// One case

/** The document parsePlan saw, or undefined when the input is not JSON. */
export function documentOf(input: Uint8Array | string): unknown {
  return textAndDocument(input).doc;
}

function textAndDocument(input: Uint8Array | string): { text: string; doc: unknown } {
  const text = typeof input === 'string' ? input : decodePlanBytes(input);
  try {
    return { text, doc: JSON.parse(text.trimStart()) };
  } catch {
    return { text, doc: undefined };
  }
}

export interface Parsed {
  plan?: Plan;
  /** Canary tails that must not reach any output of this plan. */
  tokens: string[];
}

/**
 * Parse one input and check the result: a documented refusal, or a plan whose model holds no
 * sensitive value and whose digest follows the document (when the seed's basis is given).
 */
export function parseChecked(
  input: Uint8Array | string,
  file: string,
  label: string,
  stats: Stats,
  seed?: DigestBasis,
): Parsed {
  let result;
  try {
    result = parsePlan(input, file);
  } catch (e) {
    stats.crashes++;
    throw new Error(`parsePlan threw on ${label}: ${String(e)}`, { cause: e });
  }
  if (!result.ok) {
    // A file refused before it was parsed as JSON is not JSON: no need to try.
    const doc = TEXT_LEVEL.test(result.error.reason) ? undefined : documentOf(input);
    checkRefusal(result.error, file, doc, stats);
    return { tokens: [] };
  }
  const { text, doc } = textAndDocument(input);
  stats.plans++;
  check(doc !== undefined, () => `parsePlan read a plan from a file JSON.parse rejects (${label})`);
  const plan = result.plan;
  // Only planted canaries are checked: a file without one has nothing to check.
  const tokens = text.includes('S3CR3T') ? secretTokens(doc).checkable : [];
  const model = JSON.stringify(plan);
  for (const t of tokens) {
    check(!model.includes(t), () => `the plan model holds a sensitive value (${t}) in ${label}`);
  }
  check(/^sha256v2:[0-9a-f]{64}$/.test(plan.digest), () => `bad digest ${plan.digest}`);
  if (seed && isObj(doc)) checkDigest(doc, plan.digest, seed);
  checkValues(plan, doc as Obj, label);
  return { plan, tokens };
}

/**
 * The model's values are JSON (no function or undefined slipped in from Object.prototype), and
 * every attribute of the plan's `before`/`after` objects is still there (redacted or not).
 */
function checkValues(plan: Plan, doc: Obj, label: string): void {
  const raw = Array.isArray(doc.resource_changes) ? doc.resource_changes : [];
  plan.resourceChanges.forEach((c, i) => {
    const change = (raw[i] as Obj).change as Obj;
    for (const side of ['before', 'after'] as const) {
      const v = c[side];
      check(isJson(v), () => `resource_changes[${i}].${side} in the model is not JSON (${label})`);
      const r = change[side];
      if (isObj(v) && isObj(r)) {
        for (const k of Object.keys(r)) {
          check(
            Object.hasOwn(v, k),
            () =>
              `attribute ${JSON.stringify(k)} of resource_changes[${i}].${side} is missing from the model (${label})`,
          );
        }
      }
    }
  });
  for (const o of plan.outputChanges) {
    check(
      isJson(o.before) && isJson(o.after),
      () => `output ${o.name} in the model is not JSON (${label})`,
    );
  }
}

function isJson(v: unknown): boolean {
  const work: unknown[] = [v];
  while (work.length > 0) {
    const x = work.pop();
    if (x === null || typeof x === 'string' || typeof x === 'boolean') continue;
    if (typeof x === 'number') continue;
    if (Array.isArray(x)) {
      for (const y of x) work.push(y);
      continue;
    }
    if (typeof x !== 'object') return false;
    const proto = Object.getPrototypeOf(x) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    for (const y of Object.values(x as Obj)) work.push(y);
  }
  return true;
}

export interface RenderOptions {
  markdown?: MarkdownOptions;
  config?: Config;
  label: string;
}

/** Render one report over `projects` in every view and check the views. */
export function renderAll(
  projects: { name: string; plan: Plan }[],
  tokens: readonly string[],
  opts: RenderOptions,
  stats: Stats,
): void {
  let outputs: [string, string][];
  let md: string;
  const report = buildReport(projects, opts.config ?? DEFAULT_CONFIG);
  const mdOpts = opts.markdown ?? {};
  try {
    md = renderMarkdown(report, mdOpts);
  } catch (e) {
    // Documented: a budget below what the title and the marker alone need.
    const small =
      /^maxChars (\d+) is too small for the summary's marker and title \((\d+) characters\)$/.exec(
        e instanceof RangeError ? e.message : '',
      );
    if (small && mdOpts.maxChars !== undefined && Number(small[2]) > mdOpts.maxChars) {
      stats.tooSmall++;
      return renderAll(
        projects,
        tokens,
        { ...opts, markdown: { ...mdOpts, maxChars: undefined } },
        stats,
      );
    }
    stats.crashes++;
    throw new Error(`renderMarkdown threw on ${opts.label}: ${String(e)}`, { cause: e });
  }
  try {
    outputs = [
      ['markdown', md],
      ['text', renderText(report, { color: false, ...pick(mdOpts) })],
      ['colour text', renderText(report, { color: true, ...pick(mdOpts) })],
      ['JSON', JSON.stringify(reportJson(report))],
    ];
  } catch (e) {
    stats.crashes++;
    throw new Error(`rendering threw on ${opts.label}: ${String(e)}`, { cause: e });
  }
  stats.rendered++;
  if (tokens.length > 0) stats.withSecrets++;
  for (const t of tokens) {
    for (const [what, out] of outputs) {
      check(
        !out.includes(t),
        () => `the ${what} output leaks a sensitive value (${t}) in ${opts.label}`,
      );
    }
  }
  const max = mdOpts.maxChars ?? GITHUB_COMMENT_MAX_CHARS;
  check(md.length <= max, () => `markdown is ${md.length} > ${max} characters (${opts.label})`);
  const lines = md.split('\n');
  check(MARKER_LINE.test(lines.at(-1)!), () => `the last line is not the marker (${opts.label})`);
  check(
    !mentionsMarker(lines.slice(0, -1).join('\n')),
    () => `marker text above the marker (${opts.label})`,
  );
  const m = decodeMarker(md);
  check(m.ok, () => `decodeMarker: ${m.ok ? '' : m.reason} (${opts.label})`);
  const want = report.projects.map((p) => [p.name, p.plan.digest]);
  const got = m.marker.projects.map((p) => [p.name, p.digest]);
  check(
    JSON.stringify(got) === JSON.stringify(want),
    () => `marker projects ${JSON.stringify(got)} != ${JSON.stringify(want)}`,
  );
  const body = lines.slice(0, -1).join('\n');
  check(!/<!--|-->/.test(body), () => `an HTML comment above the marker (${opts.label})`);
  check(
    (md.match(/<details>/g)?.length ?? 0) === (md.match(/<\/details>/g)?.length ?? 0),
    () => `unbalanced <details> (${opts.label})`,
  );
  const mentions = mentionsOutsideCode(md);
  check(
    mentions.length === 0,
    () => `the markdown mentions ${mentions.join(', ')} (${opts.label})`,
  );
  const json = JSON.parse(outputs[3]![1]) as {
    projects: { digest: string; counts: Record<string, number> }[];
  };
  check(
    json.projects.every((p, i) => p.digest === want[i]![1]),
    () => `JSON digests differ from the plans' (${opts.label})`,
  );
  check(
    json.projects.every(
      (p, i) =>
        // An import or a move that also updates counts under both kinds (as Terraform says it).
        Object.values(p.counts).reduce((a, b) => a + b, 0) ===
        projects[i]!.plan.resourceChanges.reduce(
          (n, c) =>
            n +
            1 +
            (c.importing && c.kind !== 'import' ? 1 : 0) +
            (c.previousAddress !== undefined && c.kind !== 'move' ? 1 : 0),
          0,
        ),
    ),
    () => `JSON counts do not add up to the resource changes (${opts.label})`,
  );
  // eslint-disable-next-line no-control-regex
  const raw = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
  check(
    !raw.test(outputs[1]![1]),
    () => `plain text output holds a control character (${opts.label})`,
  );
}

function pick(o: MarkdownOptions) {
  return o.policy !== undefined ? { policy: o.policy } : {};
}

/** Run `body` as one counted case, timed: a hang shows as the slowest case. */
export function countCase(stats: Stats, label: () => string, body: () => void): void {
  const t0 = performance.now();
  stats.cases++;
  body();
  const ms = performance.now() - t0;
  if (ms > stats.slowestMs) {
    stats.slowestMs = ms;
    stats.slowest = label();
  }
}
