import type { Context, Probot } from 'probot';
import { evaluate, evaluateGate, type Job } from './evaluate.js';
import { ContentCache, GitHub } from './github.js';
import { GATE } from './messages.js';
import { WorkQueue } from './queue.js';
import { commentMayMatter } from './triggers.js';

// The Probot app: wiring only. Each handler returns early on its guard clauses, then queues an
// evaluation and returns, so the webhook is acknowledged at once; the work runs in the queue.

export interface PlangateOptions {
  /** The GitHub App's id, to find this app's own check runs. Default: `APP_ID`. */
  appId?: number;
}

export interface PlangateApp {
  (app: Probot): void;
  /** Resolves when every queued evaluation has finished (tests, graceful shutdown). */
  settled(): Promise<void>;
}

const RUN_ID_RE = /\/actions\/runs\/(\d+)\/deployment_protection_rule\/?$/;

/** The workflow run id in a `deployment_callback_url`. */
export function runIdFromCallbackUrl(url: string | undefined): number | undefined {
  if (!url) return undefined;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = RUN_ID_RE.exec(path);
  return m ? Number(m[1]) : undefined;
}

export function plangate(options: PlangateOptions = {}): PlangateApp {
  const queue = new WorkQueue();
  const cache = new ContentCache();

  const appFn = (app: Probot): void => {
    const appId = options.appId ?? (Number(process.env['APP_ID']) || undefined);

    /** Queue `work` for this event's repository; failures are logged and approve nothing. */
    const schedule = (context: Context, work: (gh: GitHub) => Promise<unknown>): void => {
      const repo = context.repo();
      const gh = new GitHub(context.octokit, repo, cache, appId);
      queue.enqueue(
        `${repo.owner}/${repo.repo}`.toLowerCase(),
        async () => {
          await work(gh);
        },
        (err) =>
          context.log.error(
            { err, event: context.name, delivery: context.id },
            'plangate: evaluation failed after retries; waiting deployments stay waiting',
          ),
      );
    };
    const evaluateLater = (context: Context, job: Job) =>
      schedule(context, (gh) => evaluate(gh, job, context.log));

    app.on(
      ['issue_comment.created', 'issue_comment.edited', 'issue_comment.deleted'],
      async (context) => {
        const { payload } = context;
        if (!payload.issue.pull_request) return;
        if (!commentMayMatter(payload)) return;
        evaluateLater(context, {
          pull: payload.issue.number,
          trigger: { commentId: payload.comment.id, action: payload.action },
        });
      },
    );

    app.on(
      ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'],
      async (context) => {
        evaluateLater(context, { pull: context.payload.pull_request.number });
      },
    );

    app.on('deployment_protection_rule.requested', async (context) => {
      const { payload } = context;
      const runId = runIdFromCallbackUrl(payload.deployment_callback_url);
      const environment = payload.environment;
      if (runId === undefined || !environment) {
        context.log.warn(
          { callback: payload.deployment_callback_url, environment },
          'plangate: deployment_protection_rule without a run id or environment; ignored',
        );
        return;
      }
      // Newer payloads carry the commit as `sha`; otherwise the deployment's, else the run's.
      const sha = (payload as { sha?: unknown }).sha;
      const request = {
        runId,
        environment,
        sha: typeof sha === 'string' ? sha : payload.deployment?.sha,
        pulls: (payload.pull_requests ?? []).map((p) => ({
          number: p.number,
          headSha: p.head.sha,
        })),
      };
      schedule(context, async (gh) => {
        try {
          await evaluateGate(gh, request, context.log);
        } catch (err) {
          // Say so on the run, if GitHub lets us; the run stays pending either way.
          await gh.reviewGate(runId, environment, { comment: GATE.undecided() }).catch(() => {});
          throw err;
        }
      });
    });
  };

  return Object.assign(appFn, { settled: () => queue.settled() });
}

/** The app `probot run` loads. */
export default plangate();
