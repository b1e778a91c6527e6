import fc from 'fast-check';
import { DEFAULT_CONFIG } from '../../../src/core/config.js';
import { decodeMarker } from '../../../src/core/marker.js';
import { parsePlan, type Plan } from '../../../src/core/plan/index.js';
import { REDACTED, type Json } from '../../../src/core/plan/model.js';
import { redact } from '../../../src/core/plan/redact.js';
import { redactCredentials } from '../../../src/core/plan/secrets.js';
import { renderMarkdown, renderText } from '../../../src/core/render/index.js';
import { buildReport, reportJson } from '../../../src/core/report.js';
import { planDoc, rc, readBothWays } from '../../../testkit/support/build.js';

// Secrets recognised by how they look (issue 22, part 4): under keys with no secret's name, in
// scripts, YAML documents and headers. Every view a user or a bot reads, and the marker's
// decoded record, must be free of them; what only resembles them must stay.

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

// A syntactically real (but never issued) RSA key body: 64-character base64 lines.
const PEM_BODY = [
  'MIIEowIBAAKCAQEAtestKEYq1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ff',
  'At0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18',
  'gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLV',
].join('\n');
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----\n`;
const CERT = `-----BEGIN CERTIFICATE-----\nMIIDxDCCAqygAwIBAgIUWzjP9yEI4xyQJpsTuDEN2WdNiAswDQYJKoZIhvcNAQEL\n-----END CERTIFICATE-----\n`;
const STRIPE = 'sk_live_51H8xYzAbCdEfGhIjKlMnOpQrStUv';
const BASIC = b64('deploy:hunter2-basic-pw');

/** Everything a user can see of a plan, and the marker's record decoded. */
function views(plan: Plan): string[] {
  const report = buildReport([{ name: 'default', plan }], DEFAULT_CONFIG);
  const md = renderMarkdown(report, { marker: { headSha: 'abc1234', runId: 1 } });
  const marker = decodeMarker(md);
  if (!marker.ok) throw new Error(`no marker: ${marker.reason}`);
  return [
    JSON.stringify(plan),
    md,
    JSON.stringify(marker.marker),
    renderText(report, { color: false }),
    JSON.stringify(reportJson(report)),
  ];
}

describe('the four secrets issue 22 found printed in clear', () => {
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    'users:',
    '- name: admin',
    '  user:',
    `    client-certificate-data: ${b64(CERT)}`,
    `    client-key-data: ${b64(PEM)}`,
  ].join('\n');
  const doc = planDoc({
    changes: [
      rc({
        address: 'aws_instance.bastion',
        actions: ['delete', 'create'],
        before: { ami: 'ami-0old', user_data: 'echo old' },
        after: {
          ami: 'ami-0new',
          user_data: `#!/bin/bash\ncat > /etc/ssh/host_key <<'EOF'\n${PEM}EOF\nsystemctl restart sshd\n`,
        },
      }),
      rc({
        address: 'local_file.kubeconfig',
        actions: ['create'],
        before: null,
        after: { filename: 'kubeconfig.yaml', content: kubeconfig },
      }),
      rc({
        address: 'aws_lambda_function.billing',
        actions: ['update'],
        before: { environment: [{ variables: { STRIPE_SK: 'old-kept', LOG: 'info' } }] },
        after: { environment: [{ variables: { STRIPE_SK: STRIPE, LOG: 'debug' } }] },
      }),
      rc({
        address: 'aws_api_gateway_integration.legacy',
        actions: ['create'],
        before: null,
        after: {
          request_parameters: { 'integration.request.header.Authorization': `'Basic ${BASIC}'` },
        },
      }),
    ],
  });
  const secrets = [PEM_BODY.split('\n')[1]!, b64(PEM).slice(20, 60), STRIPE, BASIC, 'hunter2'];

  test('are hidden in the model, every view and the marker, by both readers', async () => {
    const plans = await readBothWays(doc);
    expect(plans).toHaveLength(4);
    for (const plan of plans) {
      for (const view of views(plan)) for (const s of secrets) expect(view).not.toContain(s);
    }
    // What is around them stays: the key's header, the certificate, the other variables.
    const after = (i: number) => JSON.stringify(plans[0]!.resourceChanges[i]!.after);
    expect(after(0)).toContain('-----BEGIN RSA PRIVATE KEY-----');
    expect(after(0)).toContain('systemctl restart sshd');
    expect(after(1)).toContain(b64(CERT));
    expect(after(1)).toContain(`client-key-data: ${REDACTED}`);
    expect(after(2)).toContain(`"STRIPE_SK":"${REDACTED}"`);
    expect(after(2)).toContain('"LOG":"debug"');
    expect(after(3)).toContain(`'Basic ${REDACTED}'`);
  });

  test('a failing check whose message quotes a token shows the message without it', () => {
    const withCheck = {
      ...doc,
      checks: [
        {
          address: { kind: 'check', to_display: 'check.billing_key' },
          status: 'fail',
          instances: [
            {
              address: { to_display: 'check.billing_key' },
              status: 'fail',
              problems: [{ message: `key ${STRIPE} is a live key` }],
            },
          ],
        },
      ],
    };
    const r = parsePlan(JSON.stringify(withCheck), 'plan.json');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.plan.failedChecks[0]!.problems).toEqual([`key ${REDACTED} is a live key`]);
  });

  test('the digest still covers them: another key gives another digest', () => {
    const other = JSON.parse(JSON.stringify(doc).replace(STRIPE, `${STRIPE}x`)) as unknown;
    const a = parsePlan(JSON.stringify(doc), 'a.json');
    const b = parsePlan(JSON.stringify(other), 'b.json');
    expect(a.ok && b.ok && a.plan.digest !== b.plan.digest).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: every token format, random bodies, in the places plans carry them.

const chars = (alphabet: string, min: number, max: number) =>
  fc
    .array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max })
    .map((xs) => xs.join(''));
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const URLSAFE = `${ALNUM}_-`;
const B64 = `${ALNUM}+/`;

/** A token of each format the look rules know, whole (the whole token is the secret). */
const token = fc.oneof(
  chars(B32, 16, 16).map((s) => `AKIA${s}`),
  chars(B32, 16, 16).map((s) => `ASIA${s}`),
  fc
    .tuple(fc.constantFrom('ghp', 'gho', 'ghu', 'ghs', 'ghr'), chars(ALNUM, 36, 40))
    .map(([p, s]) => `${p}_${s}`),
  chars(`${ALNUM}_`, 82, 82).map((s) => `github_pat_${s}`),
  chars(URLSAFE, 20, 24).map((s) => `glpat-${s}`),
  fc
    .tuple(fc.constantFrom('b', 'p', 'a', 'r', 's'), chars(`${ALNUM}-`, 10, 40))
    .map(([k, s]) => `xox${k}-${s}`),
  fc
    .tuple(fc.constantFrom('sk', 'rk'), fc.constantFrom('live', 'test'), chars(ALNUM, 10, 40))
    .map(([a, b, s]) => `${a}_${b}_${s}`),
  chars(URLSAFE, 35, 35).map((s) => `AIza${s}`),
  fc
    .tuple(chars(URLSAFE, 17, 40), chars(URLSAFE, 17, 60), chars(URLSAFE, 10, 43))
    .map(([h, p, s]) => `ey${h}.ey${p}.${s}`),
  chars(ALNUM, 36, 36).map((s) => `npm_${s}`),
  fc.tuple(chars(URLSAFE, 22, 22), chars(URLSAFE, 43, 43)).map(([a, b]) => `SG.${a}.${b}`),
  fc.tuple(chars(ALNUM, 14, 14), chars(URLSAFE, 60, 70)).map(([a, b]) => `${a}.atlasv1.${b}`),
  chars(URLSAFE, 90, 100).map((s) => `hvs.${s}`),
  fc
    .tuple(fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', '', 'ENCRYPTED '), chars(B64, 40, 200))
    .map(([k, s]) => `-----BEGIN ${k}PRIVATE KEY-----\n${s}\n-----END ${k}PRIVATE KEY-----`),
  fc
    .tuple(fc.constantFrom('RSA ', 'EC ', ''), chars(B64, 40, 200))
    .map(([k, s]) => b64(`-----BEGIN ${k}PRIVATE KEY-----\n${s}\n-----END ${k}PRIVATE KEY-----\n`)),
  chars(ALNUM, 4, 12).chain((user) =>
    chars(ALNUM, 6, 20).map((pw) => `Basic ${b64(`${user}:${pw}`)}`),
  ),
  chars(B64, 43, 50).map((s) => `https://hooks.slack.com/services/${s}`),
);

/** How far into a token the secret starts: what stays visible of it (a header, a scheme). */
function secretPart(t: string): string {
  if (t.startsWith('-----BEGIN')) return t.split('\n')[1]!;
  if (t.startsWith('Basic ')) return t.slice(6);
  if (t.startsWith('https://hooks')) return t.slice('https://hooks.slack.com/services/'.length);
  return t;
}

/** Places with no secret's name: a plain key, YAML, a shell script, JSON in a string, a header. */
const place = fc.constantFrom(
  (t: string) => ({ plain: t }),
  (t: string) => ({ variables: { STRIPE_SK: t, REGION: 'eu-west-1' } }),
  (t: string) => ({ content: `apiVersion: v1\ndata:\n  tls.key: ${t}\n  other: kept` }),
  (t: string) => ({ user_data: `#!/bin/sh\ncurl -H 'X-Api: ${t}' https://example.com\nexit 0` }),
  (t: string) => ({
    container_definitions: JSON.stringify([{ environment: [{ name: 'CFG', value: t }] }]),
  }),
  (t: string) => ({ list: ['a', { deeper: [t] }] }),
  (t: string) => ({ headers: `Authorization: ${t}` }),
);

describe('secrets by look: properties', () => {
  test('a token of any format, anywhere, never survives; plain text beside it does', () => {
    fc.assert(
      fc.property(token, place, fc.stringMatching(/^[a-z]{8,12}$/), (t, at, plain) => {
        const out = JSON.stringify(redact({ kept: `PLAIN-${plain}`, v: at(t) as Json }, undefined));
        expect(out).not.toContain(secretPart(t));
        expect(out).toContain(`PLAIN-${plain}`);
        expect(out).toContain(REDACTED);
      }),
      { numRuns: 1000 },
    );
  });

  test('what only looks close stays: certificates, hashes, ids, regions, prose', () => {
    const kept = fc.oneof(
      fc.constant(b64(CERT)),
      fc.constant(CERT),
      chars('0123456789abcdef', 40, 64),
      fc.uuid(),
      chars('0123456789abcdef', 17, 17).map((s) => `ami-${s}`),
      fc.constantFrom(
        'asia-east1',
        'arn:aws:iam::123456789012:role/ghp_deployer',
        'Basic authentication is enabled',
        'Basic tier',
        'disk-sk-ssd',
        'sk_live_',
        'the xox prefix',
        'eyeglasses.eyewear.example',
        'AKIA-rotation-policy',
        '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
      ),
    );
    fc.assert(
      fc.property(kept, (t) => expect(redactCredentials(t, REDACTED)).toBe(t)),
      {
        numRuns: 300,
      },
    );
  });
});
