import type { Knex } from 'knex';
import { accountFilter, type AccountScope } from '../domain/account-scope';
import { fromDbTime, locking, RowNotVisibleYet, toDbTime } from './dialect';

/** Accounts, campaigns and subscribers: who sends what to whom. */

export interface CampaignRef {
  id: string;
  accountId: string;
  name: string | null;
}

export async function ensureAccounts(
  trx: Knex.Transaction,
  accounts: Array<{ id: string; name: string | null }>,
  now: Date,
): Promise<void> {
  if (accounts.length === 0) return;
  const sorted = [...accounts].sort((a, b) => (a.id < b.id ? -1 : 1));
  await trx('accounts')
    .insert(sorted.map((a) => ({ id: a.id, name: a.name, messaging_active: true, created_at: toDbTime(now) })))
    .onConflict('id')
    .ignore();
  for (const a of sorted) {
    if (a.name !== null)
      await trx('accounts')
        .where({ id: a.id })
        .whereNot({ name: a.name })
        .orWhere({ id: a.id, name: null })
        .update({ name: a.name });
  }
}

export async function findCampaigns(
  db: Knex | Knex.Transaction,
  ids: string[],
  opts: { lock?: boolean } = {},
): Promise<Map<string, CampaignRef>> {
  const out = new Map<string, CampaignRef>();
  const sorted = [...new Set(ids)].sort();
  for (let i = 0; i < sorted.length; i += 500) {
    const qb = db('campaigns')
      .select('id', 'account_id', 'name')
      .whereIn('id', sorted.slice(i, i + 500));
    const rows = await (opts.lock ? locking(db, qb, 'update') : qb);
    for (const r of rows) out.set(r.id, { id: r.id, accountId: r.account_id, name: r.name });
  }
  return out;
}

export async function ensureCampaigns(
  trx: Knex.Transaction,
  campaigns: Array<{ id: string; accountId: string; name: string | null }>,
  now: Date,
): Promise<void> {
  if (campaigns.length === 0) return;
  const sorted = [...campaigns].sort((a, b) => (a.id < b.id ? -1 : 1));
  await trx('campaigns')
    .insert(sorted.map((c) => ({ id: c.id, account_id: c.accountId, name: c.name, created_at: toDbTime(now) })))
    .onConflict('id')
    .ignore();
  for (const c of sorted) {
    if (c.name !== null)
      await trx('campaigns')
        .where({ id: c.id })
        .whereNot({ name: c.name })
        .orWhere({ id: c.id, name: null })
        .update({ name: c.name });
  }
}

/** Creates missing subscribers and returns every (account, phone) → subscriber id. */
export async function ensureSubscribers(
  trx: Knex.Transaction,
  subs: Array<{ accountId: string; phone: string; carrier: string | null }>,
  now: Date,
): Promise<Map<string, number>> {
  const key = (a: string, p: string) => `${a}\u0000${p}`;
  const unique = new Map<string, { accountId: string; phone: string; carrier: string | null }>();
  for (const s of subs)
    if (!unique.has(key(s.accountId, s.phone)) || s.carrier) unique.set(key(s.accountId, s.phone), s);
  const sorted = [...unique.values()].sort((a, b) => (key(a.accountId, a.phone) < key(b.accountId, b.phone) ? -1 : 1));
  const out = new Map<string, number>();
  for (let i = 0; i < sorted.length; i += 500) {
    const chunk = sorted.slice(i, i + 500);
    await trx('subscribers')
      .insert(
        chunk.map((s) => ({
          account_id: s.accountId,
          phone: s.phone,
          carrier: s.carrier,
          subscribed: true,
          created_at: toDbTime(now),
        })),
      )
      .onConflict(['account_id', 'phone'])
      .ignore();
    // a locking read sees the latest committed rows, as the insert above did: a consistent read
    // would use this transaction's older snapshot and miss a number another batch (another
    // Galera node) created and committed meanwhile — the insert skipped it, the read missed it
    const rows = await locking(
      trx,
      trx('subscribers')
        .select('id', 'account_id', 'phone', 'carrier')
        .whereIn(
          ['account_id', 'phone'],
          chunk.map((s) => [s.accountId, s.phone]),
        ),
      'share',
    );
    const byKey = new Map(
      rows.map((r: { id: unknown; account_id: string; phone: string; carrier: string | null }) => [
        key(r.account_id, r.phone),
        r,
      ]),
    );
    for (const [k, r] of byKey) out.set(k, Number(r.id));
    const missing = chunk.find((s) => !byKey.has(key(s.accountId, s.phone)));
    // on a cluster, a row another node committed may not be applied here yet: retry the batch
    if (missing) throw new RowNotVisibleYet(`subscriber ${missing.accountId}/${missing.phone}`);
    for (const s of chunk) {
      const row = byKey.get(key(s.accountId, s.phone));
      if (s.carrier && row && row.carrier !== s.carrier)
        await trx('subscribers').where({ id: row.id }).update({ carrier: s.carrier });
    }
  }
  return out;
}

export function subscriberKey(accountId: string, phone: string): string {
  return `${accountId}\u0000${phone}`;
}

export async function setAccountMessagingActive(db: Knex, accountId: string, active: boolean): Promise<void> {
  await db('accounts').where({ id: accountId }).update({ messaging_active: active });
}

export interface Directory {
  carriers: string[];
  campaigns: Array<{ id: string; name: string | null; accountId: string }>;
  accounts: Array<{ id: string; name: string | null }>;
}

/**
 * Carriers that have sent us anything for these accounts: every account from the daily grain
 * (a few thousand rows at most), some accounts from their hourly campaign counts.
 */
export async function loadCarriers(db: Knex, accounts: AccountScope): Promise<string[]> {
  const ids = accountFilter(accounts);
  if (ids?.length === 0) return [];
  const qb = ids
    ? db('counts_campaign_hourly')
        .distinct('carrier')
        .whereIn('account_id', [...ids])
    : db('counts_daily').distinct('carrier');
  const rows = await qb.where('carrier', '<>', '').orderBy('carrier');
  return rows.map((r: { carrier: string }) => r.carrier);
}

/**
 * Names the query parser resolves words against — only those of the accounts the request may
 * see, so a name outside them is "not found", exactly like a name that does not exist.
 * Campaigns and accounts only when asked for.
 */
export async function loadDirectory(db: Knex, opts: { names?: boolean; accounts: AccountScope }): Promise<Directory> {
  const names = opts.names ?? true;
  const ids = accountFilter(opts.accounts);
  const within = (qb: Knex.QueryBuilder, column: string) => (ids ? qb.whereIn(column, [...ids]) : qb);
  const [carriers, campaigns, accounts] = await Promise.all([
    loadCarriers(db, opts.accounts),
    names ? within(db('campaigns').select('id', 'name', 'account_id').orderBy('id'), 'account_id') : [],
    names ? within(db('accounts').select('id', 'name').orderBy('id'), 'id') : [],
  ]);
  return {
    carriers,
    campaigns: campaigns.map((r: { id: string; name: string | null; account_id: string }) => ({
      id: r.id,
      name: r.name,
      accountId: r.account_id,
    })),
    accounts: accounts.map((r: { id: string; name: string | null }) => ({ id: r.id, name: r.name })),
  };
}

/** Display names from `table` (accounts, campaigns): the name when one was ever sent, else the id. */
async function namesFrom(db: Knex, table: 'accounts' | 'campaigns', ids: string[]): Promise<Map<string, string>> {
  const out = new Map(ids.map((id) => [id, id]));
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db(table)
      .select('id', 'name')
      .whereIn('id', ids.slice(i, i + 500));
    for (const r of rows as Array<{ id: string; name: string | null }>) if (r.name) out.set(r.id, r.name);
  }
  return out;
}

/** Accounts' display names: the name when one was ever sent, else the id. */
export const accountNames = (db: Knex, ids: string[]) => namesFrom(db, 'accounts', ids);

/** Campaigns' display names: the name when one was ever sent, else the id. */
export const campaignNames = (db: Knex, ids: string[]) => namesFrom(db, 'campaigns', ids);

/** A campaign's first and last send (index on campaign_id) within the scope, or null when it sent nothing there. */
export async function campaignSpan(
  db: Knex,
  campaignId: string,
  accounts: AccountScope,
): Promise<{ first: Date; last: Date } | null> {
  const ids = accountFilter(accounts);
  const q = db('messages').min({ first: 'sent_at' }).max({ last: 'sent_at' }).where({ campaign_id: campaignId });
  if (ids) q.whereIn('account_id', [...ids]);
  const r = (await q.first()) as { first: unknown; last: unknown } | undefined;
  return r?.first && r.last ? { first: fromDbTime(r.first), last: fromDbTime(r.last) } : null;
}
