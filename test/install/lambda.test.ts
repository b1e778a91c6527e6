/**
 * The Lambda entry (src/app/lambda.ts) fed what AWS hands a function behind an API Gateway HTTP
 * API: a payload 2.0 event (checked against AWS Powertools' schema of that event) whose body is a
 * real signed webhook, with the emulator playing GitHub. A 200 must mean the evaluation is done:
 * Lambda freezes the function once it returns.
 */
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createProbot } from 'probot';
import { applygate } from '../../src/app/index.js';
import { createLambdaHandler, type LambdaHandler } from '../../src/app/lambda.js';
import { startEmulator, type GitHubEmulator } from '../../testkit/github/emulator.js';
import { OWNER, REPO, creatingPull, probotEnv, waitingApply } from '../../testkit/app/harness.js';
import { deploymentProtectionRulePayload } from '../../testkit/app/payloads.js';

const HEAD = 'c3'.repeat(20);
const SECRET = 'lambda-secret';
const RUN = 91;

/**
 * A delivery as API Gateway (HTTP API, `$default` stage, route `POST /api/github/webhooks`) passes
 * it to Lambda: GitHub's headers lower-cased, API Gateway's own added, the body as a string. The
 * shape is AWS's sample payload 2.0 event; the headers are those GitHub sends with a delivery.
 */
function apiGatewayEvent(
  body: string,
  headers: Record<string, string>,
  opts: { base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'POST /api/github/webhooks',
    rawPath: '/api/github/webhooks',
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/json',
      host: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      'user-agent': 'GitHub-Hookshot/a8d9c1f',
      'x-amzn-trace-id': 'Root=1-6744d0b2-4f1c2a9e7d3b5a6c8e0f1a2b',
      'x-forwarded-for': '140.82.115.45',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      'x-github-hook-id': '512345678',
      'x-github-hook-installation-target-id': '1234567',
      'x-github-hook-installation-target-type': 'integration',
      ...headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'r3pmxmplak',
      domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      domainPrefix: 'r3pmxmplak',
      http: {
        method: 'POST',
        path: '/api/github/webhooks',
        protocol: 'HTTP/1.1',
        sourceIp: '140.82.115.45',
        userAgent: 'GitHub-Hookshot/a8d9c1f',
      },
      requestId: 'Jx2mXgPLoAMEVbQ=',
      routeKey: 'POST /api/github/webhooks',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: opts.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: opts.base64 ?? false,
  };
}

async function delivery(
  payload: object,
  opts: { base64?: boolean; secret?: string; reformat?: boolean } = {},
): Promise<APIGatewayProxyEventV2> {
  const raw = JSON.stringify(payload);
  const signature = await sign(opts.secret ?? SECRET, raw);
  // Parsing and writing the JSON again changes its bytes (here: indentation), not its meaning.
  const body = opts.reformat ? JSON.stringify(JSON.parse(raw), null, 2) : raw;
  const event = apiGatewayEvent(
    body,
    {
      'x-github-event': 'deployment_protection_rule',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signature,
    },
    opts,
  );
  // What AWS documents for payload 2.0 (Powertools' schema of it): a test event that AWS would
  // not send proves nothing.
  APIGatewayProxyEventV2Schema.parse(event);
  return event;
}

let gh: GitHubEmulator;
let handler: LambdaHandler;

beforeEach(async () => {
  gh = await startEmulator({ validate: true });
  creatingPull(gh, { number: 4, head: HEAD, base: 'e3'.repeat(20) });
  waitingApply(gh, RUN, HEAD);
  const env = probotEnv(gh, 0, SECRET, 'fatal');
  handler = createLambdaHandler({ probot: createProbot({ env }) });
});

afterEach(async () => {
  await gh.close();
});

const gatePayload = () =>
  deploymentProtectionRulePayload(
    { gh, owner: OWNER, repo: REPO },
    { runId: RUN, environment: 'production', sha: HEAD, pulls: [4] },
  );

test('a signed delivery is answered only after the deployment is approved', async () => {
  // The evaluation is still talking to GitHub well after the webhook was verified.
  const slow = gh.fault({ route: 'GET /repos/{owner}/{repo}/pulls/{pull_number}', delayMs: 800 });
  const result = await handler(await delivery(gatePayload()));
  expect(result.statusCode).toBe(200);
  expect(slow.hits).toBe(1);
  // Already there when the handler returned: nothing is left for a frozen function to finish.
  expect(gh.protectionReviews(OWNER, REPO, RUN).map((r) => r.state)).toEqual(['approved']);
  expect(gh.violations).toEqual([]);
});

test('a set-up that failed is tried again at the next event, not kept', async () => {
  const app = applygate({ appId: gh.app.id });
  let loads = 0;
  const flaky = Object.assign(
    (p: Parameters<typeof app>[0]) => {
      if (++loads === 1) throw new Error('set-up failed once');
      app(p);
    },
    { settled: () => app.settled(), close: () => app.close() },
  );
  const env = probotEnv(gh, 0, SECRET, 'fatal');
  const h = createLambdaHandler({ probot: createProbot({ env }), app: flaky });
  await expect(h(await delivery(gatePayload()))).rejects.toThrow('set-up failed once');
  const result = await h(await delivery(gatePayload()));
  expect(result.statusCode).toBe(200);
  expect(loads).toBe(2);
  expect(gh.protectionReviews(OWNER, REPO, RUN).map((r) => r.state)).toEqual(['approved']);
});

test('a base64-encoded body (function URLs, binary media types) is decoded before the check', async () => {
  const result = await handler(await delivery(gatePayload(), { base64: true }));
  expect(result.statusCode).toBe(200);
  expect(gh.protectionReviews(OWNER, REPO, RUN).map((r) => r.state)).toEqual(['approved']);
});

test('the signature is checked on the raw body: re-serialized JSON is refused', async () => {
  const result = await handler(await delivery(gatePayload(), { reformat: true }));
  expect(result.statusCode).toBe(400);
  expect(result.body).toMatch(/signature does not match/);
  expect(gh.requests).toEqual([]);
  expect(gh.protectionReviews(OWNER, REPO, RUN)).toEqual([]);
});

test('a delivery signed with another secret makes no GitHub call', async () => {
  const result = await handler(await delivery(gatePayload(), { secret: 'not-the-secret' }));
  expect(result.statusCode).toBe(400);
  expect(gh.requests).toEqual([]);
});

test('a request without GitHub headers is refused with what is missing', async () => {
  const event = apiGatewayEvent('{}', {});
  const result = await handler(event);
  expect(result.statusCode).toBe(400);
  expect(result.body).toMatch(/x-github-event, x-hub-signature-256, x-github-delivery/);
  expect(gh.requests).toEqual([]);
});
