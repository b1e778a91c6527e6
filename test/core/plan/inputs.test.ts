import { parsePlan, readPlan } from '../../../src/core/plan/index.js';
import { bytesSource } from '../../../src/core/plan/source.js';
import { assess } from '../../../src/core/risk/index.js';
import { generatePlanText } from '../../../testkit/plans/generate.js';
import { config, DEFAULT_CONFIG } from '../../../testkit/support/build.js';
import { corpusTest, readRealPlan } from '../../../testkit/support/shared.js';

// Issue 23: the inputs people actually have. Terragrunt's `run-all show -json` and Terraform's
// `plan -json` log put several JSON documents in one file; a state's `show -json` is not a plan.
// Each is named, with what to run instead, by the whole-file and the streaming reader alike.

const SEVERAL_PLANS =
  /^this file holds several plans one after another, as `terragrunt run-all show -json` prints them.*--terragrunt-json-out-dir plans.*--json-out-dir plans.*applygate check vpc=plans\/vpc\/tfplan\.json/;
const PLAN_LOG =
  /^this is the log of `terraform plan -json` \(one JSON message per line\), not a plan: save the plan with `terraform plan -out plan\.out`, then give applygate the output of `terraform show -json plan\.out`$/;

/** The refusal of both readers: whole file, and streamed in 997-byte chunks. */
async function refusals(bytes: Uint8Array): Promise<string[]> {
  const whole = parsePlan(bytes, 'p.json');
  const streamed = await readPlan(
    {
      size: bytes.length,
      read: () => Promise.resolve(bytes),
      open: (at) => bytesSource(bytes, 997).open(at),
    },
    { file: 'p.json', threshold: 16 },
  );
  if (whole.ok || streamed.ok) throw new Error('expected both readers to refuse');
  return [whole.error.reason, streamed.error.reason];
}

const enc = (s: string) => new TextEncoder().encode(s);

corpusTest(
  'real: terragrunt run-all show -json (3 plans in one file) is named, with the recipe',
  async () => {
    const [whole, streamed] = await refusals(
      readRealPlan('plans-public/real/borchero__terragrunt-multiplan-concat.json'),
    );
    expect(whole).toMatch(SEVERAL_PLANS);
    expect(streamed).toBe(whole);
  },
);

corpusTest('real: a terraform plan -json log is named, with what to run instead', async () => {
  const [whole, streamed] = await refusals(
    readRealPlan('plans-public/real/cfike__plan-json-ui-stream-NOT-show-json.json'),
  );
  expect(whole).toMatch(PLAN_LOG);
  expect(streamed).toBe(whole);
});

test('generated: two plans back to back, compact or pretty, are several plans', async () => {
  const a = generatePlanText({ resources: 30, seed: 1 });
  const b = generatePlanText({ resources: 30, seed: 2 });
  for (const text of [`${a}\n${b}\n`, `${JSON.stringify(JSON.parse(a), null, 2)}\n${b}`]) {
    const [whole, streamed] = await refusals(enc(text));
    expect(whole).toMatch(SEVERAL_PLANS);
    expect(streamed).toBe(whole);
  }
});

test('other trailing text is still the plain syntax error, and nothing of the file is quoted', async () => {
  const a = generatePlanText({ resources: 5, seed: 3 });
  expect((await refusals(enc(`${a} x`)))[0]).toMatch(
    /^not valid JSON at line 1, column \d+: there is more text after the end of the JSON$/,
  );
  const [r] = await refusals(enc('{"S3CR3T_KEY": 1}\n{"S3CR3T_KEY": 2}\n'));
  expect(r).toMatch(/^not valid JSON at line 2, column 1/);
  expect(r).not.toContain('S3CR3T');
});

test('the JSON of an empty state, and of a state, say what to run instead', () => {
  const empty = parsePlan('{"format_version":"1.0","terraform_version":"1.9.8"}', 's.json');
  expect(!empty.ok && empty.error.reason).toMatch(
    /^this is the JSON of an empty state \(`terraform show -json` without a plan file/,
  );
  const state = parsePlan('{"format_version":"1.0","values":{"root_module":{}}}', 's.json');
  expect(!state.ok && state.error.reason).toMatch(
    /^this is the JSON of a state \(`terraform show -json` without a plan file\)/,
  );
});

describe('first deploys: empty-state stays loud unless the config declares the project new', () => {
  const plan = () => {
    const r = parsePlan(
      readRealPlan('plans-public/real/borchero__300-creates-tf1.13.json'),
      'p.json',
    );
    if (!r.ok) throw new Error(r.error.message);
    return r.plan;
  };

  corpusTest(
    'real: 300 creates over an empty state: high, and the sentence says how to tell the cases apart',
    () => {
      const a = assess(plan(), DEFAULT_CONFIG, 'network');
      expect(a.level).toBe('high');
      expect(a.findings.map((f) => f.id)).toEqual(['empty-state']);
      expect(a.findings[0]!.message).toMatch(
        /state looks missing.*unless this is the first deploy of a new project\. To tell them apart: if this project was ever applied.*`terraform state list`.*declare it with `risk\.empty_state\.new_projects: \[network\]`/,
      );
    },
  );

  corpusTest(
    'real: the same plan in a project declared new is a low first-deploy; another project stays high',
    () => {
      const cfg = config({ risk: { empty_state: { new_projects: ['network'] } } });
      const a = assess(plan(), cfg, 'network');
      expect([a.level, a.requiresApproval, a.findings.map((f) => f.id)]).toEqual([
        'low',
        false,
        ['first-deploy'],
      ]);
      expect(a.findings[0]!.message).toMatch(
        /remove network from new_projects so that a lost state is caught again/,
      );
      expect(assess(plan(), cfg, 'billing').findings.map((f) => f.id)).toEqual(['empty-state']);
    },
  );
});
