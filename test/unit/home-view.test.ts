import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alerts.repository';
import { homeView } from '../../src/home/home.blocks';
import type { HomeData } from '../../src/home/home.service';
import { viewProblems } from '../../src/messages/block-limits';
import { defaultSettings } from '../../src/settings/channel-settings.repository';

const NOW = new Date('2026-11-28T16:00:00Z');

const alert = (id: number, over: Partial<Alert> = {}): Alert => ({
  id,
  teamId: 'T0GREEN',
  channelId: `C0ALERT${id}`,
  kind: 'undelivered',
  scopeKey: '*|T-Mobile|sms',
  scope: { carrier: 'T-Mobile', type: 'sms', accountId: null },
  state: 'open',
  rate: 0.3,
  baseline: 0.02,
  threshold: 0.05,
  peakRate: 0.3,
  volume: 300,
  peakVolume: 300,
  messageTs: `1795856753.${String(id).padStart(6, '0')}`,
  ackedBy: null,
  ackedAt: null,
  snoozedUntil: null,
  snoozedBy: null,
  resolvedBy: null,
  resolvedAt: null,
  belowSince: null,
  openedAt: new Date('2026-11-28T15:30:00Z'),
  detail: null,
  postedAt: new Date('2026-11-28T15:30:00Z'),
  held: false,
  escalationStep: 0,
  escalationPosted: 0,
  escalationClaimedAt: null,
  escalatedAt: null,
  ...over,
});

const data = (alerts: number, channels: number): HomeData => ({
  accounts: { all: false, names: ['Green Leaf Denver'] },
  alerts: Array.from({ length: alerts }, (_, i) => ({
    alert: alert(
      i + 1,
      i === 1 ? { state: 'acknowledged', ackedBy: 'U0ANNA', ackedAt: new Date('2026-11-28T15:40:00Z') } : {},
    ),
    zone: 'UTC',
  })),
  channels: Array.from({ length: channels }, (_, i) => ({
    settings: {
      ...defaultSettings(`C0CH${i}`, 'T0GREEN'),
      alertsEnabled: true,
      digestEnabled: i % 2 === 0,
      escalation:
        i === 0
          ? { to: [{ type: 'group', id: 'S0ONCALL' }], afterMinutes: 30, everyMinutes: 60, maxRenotify: 3 }
          : null,
      quiet: i === 0 ? { start: '21:00', end: '08:00', zone: 'America/Denver' } : null,
    },
    zone: 'America/Denver',
    accountName: i === 0 ? 'Green Leaf Denver' : null,
  })),
  atRisk: 12,
  atRiskFrom: 5,
});

describe('the Home tab (Block Kit)', () => {
  it('stays within a view’s 100 blocks with 100 open alerts and 200 channels, and counts what it leaves out', () => {
    const v = homeView(data(100, 200), NOW);
    expect(viewProblems(v)).toEqual([]);
    expect(v.blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(v.blocks);
    expect(text).toContain('…and 80 more open alerts');
    expect(text).toContain('…and 155 more channels.');
    expect(text).toContain('Open alerts (100)');
    expect(text).toContain('Channels (200)');
  });

  it('draws a small workspace (snapshot): accounts, alerts with their buttons, channels, at-risk', () => {
    const v = homeView(data(2, 2), NOW);
    expect(viewProblems(v)).toEqual([]);
    expect(v).toMatchSnapshot();
    // the alert's own buttons, with its id: they act like the message's
    expect(v.blocks.filter((b) => b.type === 'actions').map((b) => (b as { block_id?: string }).block_id)).toEqual([
      'home_stats',
      'alert_actions:1',
      'alert_actions:2',
    ]);
  });
});
