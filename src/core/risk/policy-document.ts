import type { Json } from '../plan/model.js';

// AWS policy documents (IAM identity policies, trust policies, bucket policies) as the plan holds
// them: JSON text in an attribute. One reader for every rule that looks inside one.

export interface Statement {
  effect: string;
  /** `Action` as a list; empty when the statement uses `NotAction`. */
  actions: string[];
  /** True when the statement allows everything except what `NotAction` lists. */
  notAction: boolean;
  /** `Resource` as a list; empty when absent. */
  resources: string[];
  principal: unknown;
  condition: Record<string, Record<string, unknown>> | undefined;
}

const strings = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter(
    (x): x is string => typeof x === 'string',
  );

/** The statements of a policy document, or none when the text is not one (unknown, redacted). */
export function statements(text: Json | undefined): Statement[] {
  if (typeof text !== 'string' || text === '') return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const raw = (doc as { Statement?: unknown } | null)?.Statement;
  const list: unknown[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.flatMap((st) => {
    if (st === null || typeof st !== 'object' || Array.isArray(st)) return [];
    const s = st as Record<string, unknown>;
    const cond = s.Condition;
    return [
      {
        effect: typeof s.Effect === 'string' ? s.Effect : '',
        actions: strings(s.Action),
        notAction: s.NotAction !== undefined,
        resources: strings(s.Resource),
        principal: s.Principal,
        condition:
          cond !== null && typeof cond === 'object' && !Array.isArray(cond)
            ? (cond as Record<string, Record<string, unknown>>)
            : undefined,
      },
    ];
  });
}

/** `Principal: "*"` or `{"AWS": "*"}`: every principal of every AWS account. */
export function anyPrincipal(p: unknown): boolean {
  if (p === '*') return true;
  if (p === null || typeof p !== 'object') return false;
  return strings((p as { AWS?: unknown }).AWS).includes('*');
}

/** Condition keys (lower case) of a statement, whatever the operator. */
export function conditionKeys(s: Statement): string[] {
  return Object.values(s.condition ?? {}).flatMap((byKey) =>
    byKey !== null && typeof byKey === 'object'
      ? Object.keys(byKey).map((k) => k.toLowerCase())
      : [],
  );
}

/** The values a condition gives one key (lower case), whatever the operator. */
export function conditionValues(s: Statement, key: string): string[] {
  return Object.values(s.condition ?? {}).flatMap((byKey) =>
    byKey !== null && typeof byKey === 'object'
      ? Object.entries(byKey).flatMap(([k, v]) => (k.toLowerCase() === key ? strings(v) : []))
      : [],
  );
}

export { strings as stringList };
