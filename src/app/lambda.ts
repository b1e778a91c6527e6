// The app on AWS Lambda, behind an API Gateway HTTP API (payload format 2.0) or a Lambda function
// URL (the same format). Handler: `lib/app/lambda.handler` (`applygate/lambda` in the npm
// package). Two things differ from the long-running server (server.ts):
// - GitHub signs the bytes it sent. The signature is checked against the body exactly as API
//   Gateway passed it (base64-decoded when it says so), never against JSON parsed and written
//   again, which would change whitespace and key order and fail every delivery.
// - Lambda freezes the execution environment once the handler returns, so work left in the
//   queue would stop half-way. The response is sent only after every evaluation the delivery
//   queued has settled: a 200 means the work is done (or failed and was logged, as on the server).
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createWebMiddleware } from '@octokit/webhooks';
import { createProbot, type Probot } from 'probot';
import { applygate, appOptionsFrom, probotEnv, type ApplygateApp } from './index.js';

/** An API Gateway payload 2.0 event, as API Gateway and function URLs send it. */
export type HttpEvent = Pick<
  APIGatewayProxyEventV2,
  'headers' | 'body' | 'isBase64Encoded' | 'requestContext'
>;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };
export type LambdaHandler = (event: HttpEvent) => Promise<HttpResult>;

export interface LambdaOptions {
  /** Default: `createProbot()`, configured by Probot's environment variables. */
  probot?: Probot;
  /** Default: `applygate()` with the settings of its environment (appOptionsFrom). */
  app?: ApplygateApp;
}

// How long the signature check and the handlers' own work (they only queue) may take before
// @octokit/webhooks answers 202 instead. They take milliseconds; the evaluations are awaited
// separately, without a limit of ours (the function's timeout is the limit).
const RECEIVE_TIMEOUT_MS = 20_000;

export function createLambdaHandler(options: LambdaOptions = {}): LambdaHandler {
  const app = options.app ?? applygate(appOptionsFrom(process.env));
  let receiver: Promise<Receiver> | undefined;
  // Set up once per execution environment; a setup that failed is not kept, so the next event
  // tries again instead of failing for the rest of the environment's life.
  const ready = () =>
    (receiver ??= (async () => {
      const probot = options.probot ?? createProbot({ env: probotEnv(process.env) });
      await probot.load(app);
      await probot.ready();
      const path = probot.webhookPath;
      const middleware = createWebMiddleware(probot.webhooks, {
        path,
        log: probot.log,
        timeout: RECEIVE_TIMEOUT_MS,
      });
      // The route is API Gateway's business: whatever path reached the function is the webhook's.
      return (event: HttpEvent) => middleware(toRequest(event, path)) as Promise<Response | null>;
    })().catch((err: unknown) => {
      receiver = undefined;
      throw err;
    }));

  return async (event) => {
    const receive = await ready();
    const response = await receive(event);
    // The handlers only queued the work; Lambda would freeze it as soon as we return.
    await app.settled();
    return toResult(response);
  };
}

type Receiver = (event: HttpEvent) => Promise<Response | null>;

/** The webhook request as GitHub sent it: the same method, headers and body bytes. */
function toRequest(event: HttpEvent, path: string): Request {
  const method = event.requestContext.http.method;
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  const body =
    event.body === undefined || method === 'GET' || method === 'HEAD'
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64')
        : event.body;
  return new Request(new URL(path, 'https://lambda.invalid'), { method, headers, body });
}

async function toResult(response: Response | null): Promise<HttpResult> {
  if (!response) return { statusCode: 404, headers: {}, body: '' };
  return {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

let defaultHandler: LambdaHandler | undefined;
/** The function's handler: one app per execution environment, created on the first event. */
export const handler: LambdaHandler = (event) => (defaultHandler ??= createLambdaHandler())(event);
