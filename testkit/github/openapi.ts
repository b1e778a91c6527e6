/**
 * GitHub's official OpenAPI description (from the installed `@octokit/openapi` package), turned
 * into a route matcher and cached ajv validators for the local GitHub API emulator.
 *
 * The non-dereferenced `api.github.com.json` (13 MB) is parsed once per process (jest: once per
 * worker, see `sharedCache`); `$ref`s are resolved lazily, per operation, the first time an
 * operation is validated, and the compiled validators are cached.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One compiled path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}/comments`. */
export interface RouteTemplate {
  template: string;
  regex: RegExp;
  names: string[];
  /** per segment: 2 literal, 1 mixed, 0 a lone parameter; literal segments win over parameters. */
  rank: number[];
}

export interface RouteMatch {
  template: string;
  params: Record<string, string>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compile a path template. A trailing `{path}` parameter is greedy (may contain `/`), as the
 * contents API accepts `docs/a/b.md` unencoded.
 */
export function compileTemplate(template: string): RouteTemplate {
  const names: string[] = [];
  const rank: number[] = [];
  const segments = template.split('/').slice(1);
  const parts = segments.map((segment, i) => {
    const last = i === segments.length - 1;
    if (last && segment === '{path}') {
      names.push('path');
      rank.push(0);
      return '(.+)';
    }
    let literal = true;
    let lone = false;
    const re = segment.replace(
      /\{([^}]+)\}|([^{]+)/g,
      (_m, name: string | undefined, lit: string | undefined) => {
        if (name !== undefined) {
          names.push(name);
          literal = false;
          lone = segment === `{${name}}`;
          return '([^/]+?)';
        }
        return escapeRegex(lit ?? '');
      },
    );
    rank.push(literal ? 2 : lone ? 0 : 1);
    return re;
  });
  return { template, regex: new RegExp(`^/${parts.join('/')}/?$`), names, rank };
}

function compareRank(a: RouteTemplate, b: RouteTemplate): number {
  for (let i = 0; i < Math.min(a.rank.length, b.rank.length); i++) {
    const d = (b.rank[i] ?? 0) - (a.rank[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.rank.length - b.rank.length;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Find the most specific template matching `path` (no query string). */
export function matchTemplates(
  templates: readonly RouteTemplate[],
  path: string,
): RouteMatch | undefined {
  let best: { t: RouteTemplate; m: RegExpExecArray } | undefined;
  for (const t of templates) {
    const m = t.regex.exec(path);
    if (m && (!best || compareRank(t, best.t) < 0)) best = { t, m };
  }
  if (!best) return undefined;
  const params: Record<string, string> = {};
  best.t.names.forEach((name, i) => {
    params[name] = safeDecode(best.m[i + 1] ?? '');
  });
  return { template: best.t.template, params };
}

interface OperationValidators {
  parameters: { name: string; in: string; required: boolean; schema: JsonObject }[];
  body?: { required: boolean; validate: ValidateFunction | undefined };
  responses: Map<string, ValidateFunction | null>;
}

export interface SpecValidator {
  /** milliseconds spent reading and parsing the description (0 when it came from the cache) */
  loadMs: number;
  /** All templates in the description, for route matching. */
  templates: readonly RouteTemplate[];
  /** The templates that define `method` (any case). */
  templatesFor(method: string): readonly RouteTemplate[];
  /** Methods the description defines for a template (lowercase). */
  methods(template: string): string[];
  /** Check a request; returns human-readable problems (empty when valid). */
  checkRequest(req: {
    method: string;
    template: string;
    params: Record<string, string>;
    query: Record<string, string>;
    body: unknown;
    hasBody: boolean;
  }): string[];
  /** Check a JSON response body against the operation's response schema for `status`. */
  checkResponse(method: string, template: string, status: number, body: unknown): string[];
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 12)
    .map(
      (e) =>
        `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params ? ' ' + JSON.stringify(e.params) : ''}`,
    )
    .join('; ');
}

class Spec implements SpecValidator {
  loadMs: number;
  templates: RouteTemplate[];
  private readonly doc: JsonObject;
  private readonly ops = new Map<string, OperationValidators>();
  private readonly byMethod = new Map<string, RouteTemplate[]>();
  private readonly ajv: Ajv;

  constructor(doc: JsonObject, loadMs: number) {
    this.doc = doc;
    this.loadMs = loadMs;
    const paths = doc['paths'] as JsonObject;
    this.templates = Object.keys(paths).map(compileTemplate);
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
  }

  templatesFor(method: string): readonly RouteTemplate[] {
    const m = method.toLowerCase();
    let list = this.byMethod.get(m);
    if (!list) {
      const paths = this.doc['paths'] as JsonObject;
      list = this.templates.filter((t) => m in (paths[t.template] as JsonObject));
      this.byMethod.set(m, list);
    }
    return list;
  }

  methods(template: string): string[] {
    const item = (this.doc['paths'] as JsonObject)[template] as JsonObject | undefined;
    return item ? METHODS.filter((m) => m in item) : [];
  }

  private lookup(ref: string): Json {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let node: Json = this.doc;
    for (const key of ref.slice(2).split('/')) {
      node = (node as JsonObject)[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Json;
      if (node === undefined) throw new Error(`dangling $ref ${ref}`);
    }
    return node;
  }

  /** Resolve `$ref` in a non-schema object (parameter, response, request body). */
  private resolve(node: Json): JsonObject {
    let n = node as JsonObject;
    const seen = new Set<string>();
    while (n && typeof n['$ref'] === 'string') {
      const ref = n['$ref'];
      if (seen.has(ref)) throw new Error(`cyclic $ref ${ref}`);
      seen.add(ref);
      n = this.lookup(ref) as JsonObject;
    }
    return n;
  }

  /**
   * Inline `$ref`s of a schema (a recursive reference is cut to `{}`), drop annotations, and turn
   * OpenAPI 3.0 `nullable: true` into JSON Schema (`type: [t, 'null']`, or an `anyOf` with null).
   */
  private schema(node: Json, stack: readonly string[] = []): Json {
    if (Array.isArray(node)) return node.map((n) => this.schema(n, stack));
    if (!node || typeof node !== 'object') return node;
    const ref = node['$ref'];
    if (typeof ref === 'string') {
      if (stack.includes(ref)) return {};
      return this.schema(this.lookup(ref), [...stack, ref]);
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      switch (key) {
        case 'description':
        case 'example':
        case 'examples':
        case 'title':
        case 'discriminator':
        case 'xml':
        case 'externalDocs':
        case 'nullable':
          break;
        case 'properties':
        case 'patternProperties': {
          const props: JsonObject = {};
          for (const [name, sub] of Object.entries(value as JsonObject))
            props[name] = this.schema(sub, stack);
          out[key] = props;
          break;
        }
        case 'items':
        case 'additionalProperties':
        case 'not':
        case 'allOf':
        case 'anyOf':
        case 'oneOf':
          out[key] = this.schema(value, stack);
          break;
        default:
          if (!key.startsWith('x-')) out[key] = value;
      }
    }
    if (node['nullable'] === true) {
      if (typeof out['type'] === 'string') {
        out['type'] = [out['type'], 'null'];
        if (Array.isArray(out['enum']) && !out['enum'].includes(null))
          out['enum'] = [...out['enum'], null];
        return out;
      }
      return { anyOf: [{ type: 'null' }, out] };
    }
    return out;
  }

  private operation(method: string, template: string): OperationValidators | undefined {
    const key = `${method} ${template}`;
    const cached = this.ops.get(key);
    if (cached) return cached;
    const item = (this.doc['paths'] as JsonObject)[template] as JsonObject | undefined;
    const op = item?.[method] as JsonObject | undefined;
    if (!item || !op) return undefined;
    const rawParams = [
      ...((item['parameters'] as Json[] | undefined) ?? []),
      ...((op['parameters'] as Json[] | undefined) ?? []),
    ];
    const parameters = rawParams.map((p) => {
      const r = this.resolve(p);
      return {
        // OpenAPI requires both to be strings.
        name: r['name'] as string,
        in: r['in'] as string,
        required: r['required'] === true,
        schema: this.schema(r['schema'] ?? {}) as JsonObject,
      };
    });
    let body: OperationValidators['body'];
    if (op['requestBody']) {
      const rb = this.resolve(op['requestBody']);
      const content = (rb['content'] as JsonObject | undefined) ?? {};
      const media = (content['application/json'] ?? Object.values(content)[0]) as
        JsonObject | undefined;
      const schema = media?.['schema'];
      body = {
        required: rb['required'] === true,
        validate: schema ? this.ajv.compile(this.schema(schema) as object) : undefined,
      };
    }
    const v: OperationValidators = { parameters, body, responses: new Map() };
    this.ops.set(key, v);
    return v;
  }

  checkRequest(req: {
    method: string;
    template: string;
    params: Record<string, string>;
    query: Record<string, string>;
    body: unknown;
    hasBody: boolean;
  }): string[] {
    const method = req.method.toLowerCase();
    const op = this.operation(method, req.template);
    if (!op)
      return [`${req.method} ${req.template} is not an operation in GitHub's OpenAPI description`];
    const problems: string[] = [];
    for (const p of op.parameters) {
      const source = p.in === 'path' ? req.params : p.in === 'query' ? req.query : undefined;
      if (!source) continue;
      const value = source[p.name];
      if (value === undefined || value === '') {
        if (p.required) problems.push(`missing required ${p.in} parameter "${p.name}"`);
        continue;
      }
      const problem = checkScalar(value, p.schema);
      if (problem)
        problems.push(`${p.in} parameter "${p.name}"=${JSON.stringify(value)} ${problem}`);
    }
    if (op.body) {
      if (!req.hasBody) {
        if (op.body.required) problems.push('missing required request body');
      } else if (op.body.validate && !op.body.validate(req.body)) {
        problems.push(`request body: ${formatErrors(op.body.validate.errors)}`);
      }
    } else if (req.hasBody && method !== 'get' && method !== 'delete') {
      // GitHub ignores bodies on operations without one; nothing to check.
    }
    return problems;
  }

  checkResponse(method: string, template: string, status: number, body: unknown): string[] {
    const m = method.toLowerCase();
    const op = this.operation(m, template);
    if (!op) return [];
    const key = String(status);
    let validate = op.responses.get(key);
    if (validate === undefined) {
      const item = (this.doc['paths'] as JsonObject)[template] as JsonObject;
      const responses = ((item[m] as JsonObject)['responses'] ?? {}) as JsonObject;
      const raw = responses[key] ?? responses['default'];
      if (!raw) {
        op.responses.set(key, null);
        if (status < 400) return [`status ${status} is not a documented response`];
        return [];
      }
      const r = this.resolve(raw);
      const content = r['content'] as JsonObject | undefined;
      const schema = (content?.['application/json'] as JsonObject | undefined)?.['schema'];
      validate = schema ? this.ajv.compile(this.schema(schema) as object) : null;
      op.responses.set(key, validate);
    }
    if (validate && !validate(body))
      return [`response ${status} body: ${formatErrors(validate.errors)}`];
    return [];
  }
}

/** Cheap checks of a path or query string value against a simple schema. */
function checkScalar(value: string, schema: JsonObject): string | undefined {
  const types = Array.isArray(schema['type']) ? schema['type'] : [schema['type']];
  if (types.includes('integer') && !/^-?\d+$/.test(value)) return 'is not an integer';
  if (types.includes('number') && !Number.isFinite(Number(value))) return 'is not a number';
  if (types.includes('boolean') && value !== 'true' && value !== 'false') return 'is not a boolean';
  const e = schema['enum'];
  if (Array.isArray(e) && types.includes('string') && !e.includes(value))
    return `is not one of ${JSON.stringify(e)}`;
  return undefined;
}

const CACHE_KEY = Symbol.for('applygate.test.github.openapi');

/**
 * A holder that outlives jest's per-test-file module registries, so that the test files of one
 * worker share the parsed description and its compiled validators. jest hands every test file the
 * same (real) `node:fs` module object, whereas `globalThis`, `process` and `node:module` are per
 * test file.
 */
function sharedCache(): { spec?: Spec } {
  const holder = fs as unknown as Record<symbol, { spec?: Spec } | undefined>;
  let c = holder[CACHE_KEY];
  if (!c) {
    c = {};
    Object.defineProperty(holder, CACHE_KEY, { value: c, enumerable: false, configurable: true });
  }
  return c;
}

/** Path of the installed api.github.com description. */
export function specPath(): string {
  const require = createRequire(import.meta.url);
  return join(
    dirname(require.resolve('@octokit/openapi/package.json')),
    'generated',
    'api.github.com.json',
  );
}

/** Load (once per process) GitHub's OpenAPI description. */
export function loadSpec(): SpecValidator {
  const cache = sharedCache();
  if (cache.spec) return Object.assign(Object.create(cache.spec) as Spec, { loadMs: 0 });
  const start = performance.now();
  const doc = JSON.parse(fs.readFileSync(specPath(), 'utf8')) as JsonObject;
  const spec = new Spec(doc, 0);
  spec.loadMs = Math.round(performance.now() - start);
  cache.spec = spec;
  return spec;
}
