import type { Knex } from 'knex';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../logger';

export interface SlackDeps {
  config: Config;
  db: Knex;
  clock: Clock;
  log: Logger;
}
