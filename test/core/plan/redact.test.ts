import fc from 'fast-check';
import { DEFAULT_CONFIG } from '../../../src/core/config.js';
import type { Plan } from '../../../src/core/plan/index.js';
import { REDACTED, type Json } from '../../../src/core/plan/model.js';
import { redact } from '../../../src/core/plan/redact.js';
import { isSecretName, redactCredentials } from '../../../src/core/plan/secrets.js';
import { renderMarkdown, renderText } from '../../../src/core/render/index.js';
import { buildReport, reportJson } from '../../../src/core/report.js';
import { planDoc, rc, readBothWays } from '../../../testkit/support/build.js';

// Secrets no sensitivity mask marks: found by the name they are under (any depth, plural too),
// by the name of their name/value pair, or by their text (connection strings, URLs, JSON held in
// a string). The whole-file and the streaming reader build values the same way; both are read.

/** Everything a user can see of a plan: the model, the markdown, the text and the JSON. */
function views(plan: Plan): string[] {
  const report = buildReport([{ name: 'default', plan }], DEFAULT_CONFIG);
  return [
    JSON.stringify(plan),
    renderMarkdown(report, { marker: { headSha: 'abc1234', runId: 1 } }),
    renderText(report, { color: false }),
    JSON.stringify(reportJson(report)),
  ];
}

function updatePlan(before: Json, after: Json) {
  return planDoc({
    changes: [rc({ address: 'aws_instance.app', actions: ['update'], before, after })],
  });
}

describe('secrets without a mask, in both readers and every view', () => {
  // The cases of issue 11, and their neighbours.
  const cases: { name: string; value: Json; secrets: string[]; kept?: string[] }[] = [
    {
      name: 'a list under a secret-named key',
      value: { token: ['tok-0a1b2c3d4e'] },
      secrets: ['tok-0a1b2c3d4e'],
    },
    {
      name: 'name/value pairs whose name is secret',
      value: {
        env: [
          { name: 'API_TOKEN', value: 'apitok-99887766' },
          { name: 'DB_PASSWORD', value: 'dbpass-55443322' },
          { name: 'LOG_LEVEL', value: 'verbose-kept' },
        ],
      },
      secrets: ['apitok-99887766', 'dbpass-55443322'],
      kept: ['verbose-kept', 'API_TOKEN'],
    },
    {
      name: 'a plural secret-named key holding a connection string',
      value: { connection_strings: 'Server=db;User ID=app;Password=connpw-1122;' },
      secrets: ['connpw-1122'],
    },
    {
      name: 'credentials inside strings under ordinary keys',
      value: {
        settings: 'Server=tcp:db,1433;User ID=app;Password=inline-pw-77;Encrypt=true',
        storage: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=acctkey+/AbC==;',
        endpoint: 'postgres://admin:url-pw-3344@db.example:5432/app',
        user_data: '#!/bin/sh\nexport DB_PASSWORD=shell-pw-5566\nexec app',
        sas: 'https://a.blob.core.windows.net/c?sv=2020-08-04&sig=sas-sig-7788&se=2030',
      },
      secrets: ['inline-pw-77', 'acctkey+/AbC==', 'url-pw-3344', 'shell-pw-5566', 'sas-sig-7788'],
      kept: ['Encrypt=true', 'AccountName=acct', 'db.example:5432', 'exec app', 'se=2030'],
    },
    {
      name: 'a JSON document in a string (ECS container definitions)',
      value: {
        container_definitions: JSON.stringify([
          {
            name: 'web',
            image: 'nginx-kept',
            environment: [{ name: 'STRIPE_SECRET', value: 'sk-live-abcdef' }],
          },
        ]),
      },
      secrets: ['sk-live-abcdef'],
      kept: ['nginx-kept'],
    },
    {
      name: 'everything at any depth under a secret-named key',
      value: { secrets: { db: { primary: [{ v: 'deep-secret-1' }], port: 5432 } } },
      secrets: ['deep-secret-1', '5432'],
    },
  ];

  test.each(cases)('$name', async ({ value, secrets, kept }) => {
    const plans = await readBothWays(updatePlan(null, value));
    expect(plans).toHaveLength(4);
    for (const plan of plans) {
      for (const view of views(plan)) {
        for (const s of secrets) expect(view).not.toContain(s);
      }
      // The details show the attribute, redacted, and what is not a secret.
      const md = views(plan)[1]!;
      if (plan === plans[0]) {
        expect(md).toContain(REDACTED);
        for (const k of kept ?? [])
          expect(JSON.stringify(plan.resourceChanges[0]!.after)).toContain(k);
      }
    }
  });

  test('an output whose name is secret is hidden whole; others are walked', async () => {
    const doc = planDoc({
      changes: [],
      outputs: {
        admin_password: {
          actions: ['create'],
          before: null,
          after: 'out-pw-1234',
          after_unknown: false,
        },
        db_url: {
          actions: ['create'],
          before: null,
          after: 'mysql://root:out-url-pw@db/x',
          after_unknown: false,
        },
      },
    });
    const plans = await readBothWays(doc);
    expect(plans).toHaveLength(4);
    for (const plan of plans) {
      for (const view of views(plan)) {
        expect(view).not.toContain('out-pw-1234');
        expect(view).not.toContain('out-url-pw');
      }
      expect(plan.outputChanges.find((o) => o.name === 'db_url')?.after).toBe(
        `mysql://root:${REDACTED}@db/x`,
      );
    }
  });
});

describe('what is not a secret stays', () => {
  test.each([
    ['secret_arn', 'arn:aws:secretsmanager:us-east-1:1:secret:app-AbCd', false],
    ['policy', '{"Statement":[{"Action":"secretsmanager:GetSecretValue"}]}', true],
    ['endpoint', 'https://user@example.com/path', true],
    ['tags', 'key=value', true],
    ['description', 'the token is rotated every 90 days', true],
  ] as const)('%s: %s', (key, text, kept) => {
    const out = redact({ [key]: text }, undefined) as Record<string, Json>;
    // secret_arn is secret-named (over-redaction is the safe side); the others are ordinary.
    expect(out[key] === text).toBe(kept);
  });

  test('booleans, nulls and empty strings under secret names show (they reveal nothing)', () => {
    const v = { password: '', token: null, secret_enabled: true, credentials: [] };
    expect(redact(v, undefined)).toBe(v);
  });

  test('a value with no secret comes back as the same object (copy on write)', () => {
    const v = { tags: { Name: 'web' }, list: [1, 'two', { url: 'https://example.com' }] };
    expect(redact(v, undefined)).toBe(v);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: random secret names in every spelling, at random depths; random pair names;
// credentials in random text. The canary never shows; a plain canary beside it always does.

const SECRET_STEMS = [
  ['password'],
  ['passwd'],
  ['secret'],
  ['token'],
  ['credential'],
  ['api', 'key'],
  ['access', 'key'],
  ['private', 'key'],
  ['client', 'secret'],
  ['connection', 'string'],
  ['account', 'key'],
];
const PREFIXES = [[], ['db'], ['admin'], ['master', 'user'], ['root']];

const words = fc
  .tuple(fc.constantFrom(...PREFIXES), fc.constantFrom(...SECRET_STEMS), fc.boolean())
  .map(([pre, stem, plural]) => {
    const ws = [...pre, ...stem];
    if (plural) ws[ws.length - 1] += 's';
    return ws;
  });

/** A secret name in one of the spellings providers and people use. */
const secretName = fc
  .tuple(words, fc.constantFrom('snake', 'SCREAMING', 'kebab', 'camel', 'Pascal', 'dotted'))
  .map(([ws, style]) => {
    const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
    switch (style) {
      case 'snake':
        return ws.join('_');
      case 'SCREAMING':
        return ws.join('_').toUpperCase();
      case 'kebab':
        return ws.join('-');
      case 'camel':
        return ws[0] + ws.slice(1).map(cap).join('');
      case 'Pascal':
        return ws.map(cap).join('');
      default:
        return ws.join('.');
    }
  });

const canary = fc.stringMatching(/^[A-Za-z0-9]{10,16}$/).map((s) => `S3CR3T-${s}`);
const plainKey = fc.constantFrom('tags', 'settings', 'spec', 'items', 'labels', 'config');

/** `leaf` under `path` (keys and list positions), built from the inside out. */
function nest(path: (string | number)[], leaf: Json): Json {
  let v = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const p = path[i]!;
    v = typeof p === 'number' ? [...Array<Json>(p).fill('x'), v] : { [p]: v };
  }
  return v;
}

const place = fc.oneof(
  // Under a secret-named key, with ordinary keys and lists around and below it.
  fc
    .record({
      above: fc.array(fc.oneof(plainKey, fc.nat(2)), { maxLength: 3 }),
      name: secretName,
      below: fc.array(fc.oneof(plainKey, fc.nat(2)), { maxLength: 3 }),
    })
    .map((p) => (s: string) => nest([...p.above, p.name, ...p.below], s)),
  // The value of a name/value pair whose name is secret.
  fc
    .record({
      name: secretName,
      nameKey: fc.constantFrom('name', 'key', 'Name', 'Key'),
      valueKey: fc.constantFrom('value', 'Value'),
    })
    .map((p) => (s: string) => ({ env: [{ [p.nameKey]: p.name, [p.valueKey]: s }] })),
  // Inside a string under an ordinary key.
  fc
    .record({
      form: fc.constantFrom(
        'Server=db;%N=%S;Port=1',
        'export %N=%S',
        '%N: %S',
        '"%N": "%S"',
        'https://h/x?a=1&%N=%S&b=2',
        'postgres://u:%S@db:5432/x',
        'Authorization: Bearer %S',
      ),
      name: secretName.filter((n) => !n.includes('.') && !n.includes('-')),
    })
    .map((p) => (s: string) => ({ text: p.form.replace('%N', p.name).replace('%S', s) })),
);

describe('redaction properties', () => {
  test('a secret placed anywhere by name or text never survives; a plain value beside it does', () => {
    fc.assert(
      fc.property(place, canary, fc.stringMatching(/^[a-z]{8,12}$/), (at, secret, plain) => {
        const value = { kept: `PLAIN-${plain}`, nested: at(secret) };
        const out = JSON.stringify(redact(value, undefined));
        expect(out).not.toContain('S3CR3T');
        expect(out).toContain(`PLAIN-${plain}`);
      }),
      { numRuns: 500 },
    );
  });

  test('every spelling of a secret name is recognised', () => {
    fc.assert(fc.property(secretName, (name) => expect(isSecretName(name)).toBe(true)));
  });

  test('every name the first rule (scalars under a secret-named key) hid is still hidden', () => {
    const FIRST_RULE =
      /(^|_)(password|passwd|secret|secret_string|private_key|token|api_key|access_key|secret_key|client_secret|connection_string|credentials?)(_|$)/i;
    const name = fc
      .array(
        fc.constantFrom(
          'db',
          'password',
          'secret',
          'string',
          'private',
          'key',
          'token',
          'id',
          'api',
          'access',
          'client',
          'connection',
          'credential',
          'credentials',
          'arn',
          'name',
          'master',
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((ws) => ws.join('_'));
    fc.assert(
      fc.property(name, (n) => {
        if (FIRST_RULE.test(n)) expect(isSecretName(n)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('text without a secret name or a URL password is returned unchanged', () => {
    const ordinary = fc
      .array(
        fc.constantFrom('name', 'id', 'region', 'https://example.com/a', '=', ':', ' ', ';', 'x1'),
        {
          maxLength: 12,
        },
      )
      .map((xs) => xs.join(''));
    fc.assert(fc.property(ordinary, (t) => expect(redactCredentials(t, REDACTED)).toBe(t)));
  });
});
