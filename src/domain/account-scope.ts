/**
 * The accounts a request may see: every account (single-workspace mode, the platform's own
 * workspace), or exactly a set (a merchant's workspace, narrowed by a channel's `scope`).
 * Resolved once per request and applied inside the stats engine and every repository that
 * lists things; anything outside it is answered as if it did not exist.
 */
export type AccountScope = { readonly all: true } | { readonly all: false; readonly ids: readonly string[] };

export const ALL_ACCOUNTS: AccountScope = Object.freeze({ all: true });

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
