// Logins and teams, compared one way everywhere (decide, CODEOWNERS, trusted bots, the app's
// caches). GitHub logins and team slugs are ASCII and case-insensitive, so only A-Z is folded:
// Unicode lower-casing would turn look-alikes into real logins (the Kelvin sign U+212A lowers to
// `k`, so `\u212Aate` would become the owner `kate`); folded this way they stay different.

/** A login (or `org/team`, or `owner/repo`) for comparison: A-Z folded, nothing else. */
export function foldLogin(login: string): string {
  return login.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** A user or team as written in config or CODEOWNERS (`@Login`, `@Org/Team`): folded, no `@`. */
export function normalizePrincipal(s: string): string {
  return foldLogin(s.replace(/^@/, ''));
}

/** Whether `principal` (normalized) names a team (`org/slug`) rather than a user. */
export function isTeam(principal: string): boolean {
  return principal.includes('/');
}

/** Whether two logins (or principals) name the same account. */
export function sameLogin(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizePrincipal(a) === normalizePrincipal(b);
}

/** Whether a comment author is a bot account: bots never approve. */
export function isBotUser(user: { login: string; type?: string }): boolean {
  return user.type === 'Bot' || user.login.endsWith('[bot]');
}

/** A login or `@org/team` as the config may name it (the config schema's pattern). */
export const LOGIN_OR_TEAM =
  '^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9._-]+)?(?:\\[bot\\])?$';
