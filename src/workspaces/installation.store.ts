import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect';
import type { TokenCipher } from './token-crypto';
import { markInstalled, markUninstalled } from './workspaces.repository';

/** Bolt's key for an installation: the org for an org-wide (enterprise) install, else the workspace. */
const keyOf = (q: { isEnterpriseInstall?: boolean; enterpriseId?: string | undefined; teamId?: string | undefined }) =>
  q.isEnterpriseInstall ? `E:${q.enterpriseId}` : `T:${q.teamId}`;

/**
 * Bolt's InstallationStore on our database (both engines): one row per workspace (or org), its
 * tokens encrypted (AES-256-GCM), the rest of Bolt's installation object beside them. The
 * workspace row (its accounts, its channels' settings) outlives an uninstall.
 */
export function knexInstallationStore(db: Knex, cipher: TokenCipher, clock: { now(): Date }): InstallationStore {
  return {
    async storeInstallation(installation: Installation) {
      const isEnterpriseInstall = Boolean(installation.isEnterpriseInstall);
      const teamId = installation.team?.id ?? null;
      const enterpriseId = installation.enterprise?.id ?? null;
      const { bot, user, ...rest } = installation;
      const stripped = {
        ...rest,
        ...(bot ? { bot: { ...bot, token: undefined, refreshToken: undefined } } : {}),
        user: { ...user, token: undefined, refreshToken: undefined },
      };
      const now = clock.now();
      const row = {
        install_key: keyOf({
          isEnterpriseInstall,
          enterpriseId: enterpriseId ?? undefined,
          teamId: teamId ?? undefined,
        }),
        team_id: teamId,
        enterprise_id: enterpriseId,
        is_enterprise_install: isEnterpriseInstall,
        bot_token: bot?.token ? cipher.encrypt(bot.token) : null,
        user_token: user.token ? cipher.encrypt(user.token) : null,
        bot_user_id: bot?.userId ?? null,
        installation: JSON.stringify(stripped),
        installed_at: toDbTime(now),
      };
      await db.transaction(async (trx) => {
        await trx('slack_installations').insert(row).onConflict('install_key').merge();
        if (teamId) await markInstalled(trx, { teamId, enterpriseId, name: installation.team?.name ?? null }, now);
      });
    },

    async fetchInstallation(query: InstallationQuery<boolean>) {
      const r = await db('slack_installations')
        .first('*')
        .where({ install_key: keyOf(query) });
      if (!r?.bot_token) throw new Error(`no installation for ${keyOf(query)}`);
      const installation = JSON.parse(r.installation as string) as Installation;
      if (installation.bot) installation.bot.token = cipher.decrypt(r.bot_token as string);
      if (r.user_token) installation.user.token = cipher.decrypt(r.user_token as string);
      return installation;
    },

    async deleteInstallation(query: InstallationQuery<boolean>) {
      await db.transaction(async (trx) => {
        await trx('slack_installations')
          .where({ install_key: keyOf(query) })
          .delete();
        if (!query.isEnterpriseInstall && query.teamId) await markUninstalled(trx, query.teamId, clock.now());
      });
    },
  };
}
