import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const read = (f: string) => JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../slack', f), 'utf8'));

describe('Slack app manifests', () => {
  const http = read('manifest.json');
  const socket = read('manifest.socket-mode.json');

  it('ask for the same scopes and events, channels:join included (thread replies need membership)', () => {
    expect(http.oauth_config.scopes.bot).toContain('channels:join');
    expect(socket.oauth_config.scopes.bot).toEqual(http.oauth_config.scopes.bot);
    expect(socket.settings.event_subscriptions.bot_events).toEqual(http.settings.event_subscriptions.bot_events);
    expect(http.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(['app_uninstalled', 'tokens_revoked', 'app_home_opened']),
    );
  });

  it('turn the Home tab on and ask for usergroups:read (escalation to @group resolves the handle)', () => {
    for (const m of [http, socket]) {
      expect(m.features.app_home.home_tab_enabled).toBe(true);
      expect(m.oauth_config.scopes.bot).toContain('usergroups:read');
    }
  });

  it('HTTP mode points at /slack/events with an OAuth redirect; Socket Mode has no URLs', () => {
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(http.settings.interactivity.request_url).toBe('https://YOUR-HOST/slack/events');
    expect(http.oauth_config.redirect_urls).toEqual(['https://YOUR-HOST/slack/oauth_redirect']);
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toContain('YOUR-HOST');
  });
});
