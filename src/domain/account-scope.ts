/**
 * The accounts a request may see: every account (single-workspace mode, the platform's own
 * workspace), or exactly a set (a merchant's workspace, narrowed by a channel's `scope`).
 * Resolved once per request and applied inside the stats engine and every repository that
 * lists things; anything outside it is answered as if it did not exist.
 */
export type AccountScope = { readonly all: true } | { readonly all: false; readonly ids: readonly string[] };

const EVERY_ACCOUNT: AccountScope = Object.freeze({ all: true });

/**
 * The only uses that may see every account, each named here (issue 16). Every other read of
 * tenant data takes the scope of its request (a Slack request's context) or of its channel (a
 * channel's directory entry), and nothing has a default: a function that reads tenant data
 * without a scope does not compile. An architecture test keeps `platformScope` to these files.
 */
export const PLATFORM_USES = {
  'single-workspace mode': 'one workspace, the platform’s own, sees every account (no links)',
  'platform workspace': 'the platform’s own workspace, granted every account (grant-all)',
  'operator CLI': 'the operator’s command line on the server (stats, export, review, workspaces)',
  'local demo': 'local mode’s own page and demo (one machine, no tenants)',
  'benchmarks and tests': 'bench/ and test/: whole-table figures against a raw recount',
} as const;
export type PlatformUse = keyof typeof PLATFORM_USES;

export function platformScope(_use: PlatformUse): AccountScope {
  return EVERY_ACCOUNT;
}

export function onlyAccounts(ids: Iterable<string>): AccountScope {
  return Object.freeze({ all: false, ids: Object.freeze([...new Set(ids)].sort()) });
}

export function sees(scope: AccountScope, accountId: string): boolean {
  return scope.all || scope.ids.includes(accountId);
}

/** A channel's `scope account:X` narrows the workspace's accounts; outside them it sees nothing. */
export function narrowTo(scope: AccountScope, accountId: string | null): AccountScope {
  if (accountId === null) return scope;
  return onlyAccounts(sees(scope, accountId) ? [accountId] : []);
}

/** null when every account is visible (no filter), else the ids (possibly none). */
export function accountFilter(scope: AccountScope): readonly string[] | null {
  return scope.all ? null : scope.ids;
}

export function seesNothing(scope: AccountScope): boolean {
  return !scope.all && scope.ids.length === 0;
}
