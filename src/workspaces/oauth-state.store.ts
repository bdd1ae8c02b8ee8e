import crypto from 'node:crypto';
import type { InstallURLOptions, StateStore } from '@slack/bolt';
import type { Knex } from 'knex';
import type { Clock } from '../clock';
import { consumeOAuthState, insertOAuthState, purgeOAuthStates } from './workspaces.repository';

/** How long an install link stays good (Bolt's own default). */
export const OAUTH_STATE_MINUTES = 10;

const hash = (state: string) => crypto.createHash('sha256').update(state).digest('hex');

/**
 * Bolt's default state store signs the state and checks only its age: the same state could
 * complete two installs within ten minutes. This one stores each state (by hash) and consumes
 * it on the redirect, so a state works once, on every instance.
 */
export function knexStateStore(db: Knex, clock: Clock): StateStore {
  return {
    async generateStateParam(installOptions: InstallURLOptions) {
      const now = clock.now();
      const state = crypto.randomBytes(32).toString('base64url');
      await purgeOAuthStates(db, new Date(now.getTime() - 24 * 3600_000));
      await insertOAuthState(db, hash(state), JSON.stringify(installOptions), now);
      return state;
    },
    async verifyStateParam(_now: Date, state: string) {
      const now = clock.now();
      const options = await consumeOAuthState(db, hash(state), new Date(now.getTime() - OAUTH_STATE_MINUTES * 60_000));
      if (options === null)
        throw Object.assign(new Error('the install link was already used or has expired'), {
          code: 'slack_oauth_invalid_state',
        });
      return JSON.parse(options) as InstallURLOptions;
    },
  };
}
