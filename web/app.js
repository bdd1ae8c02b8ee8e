// The local workspace page: renders the embedded workspace's messages as Slack would and sends
// commands and clicks back through the app's signed Slack path. No build step.
'use strict';

const EMOJI = {
  warning: '⚠️',
  hourglass_flowing_sand: '⏳',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_green_circle: '🟢',
  zzz: '💤',
  rotating_light: '🚨',
  crescent_moon: '🌙',
  bar_chart: '📊',
  lock: '🔒',
  white_check_mark: '✅',
  x: '❌',
  sunrise: '🌅',
  hourglass: '⌛',
  no_entry: '⛔',
  leftwards_arrow_with_hook: '↩️',
  page_facing_up: '📄',
};
let state = { messages: [], direct: [], files: {}, user: { id: 'U0LOCAL' } };
let openThread = null;
// the workspace shown: the platform's (every account) or a merchant's (its own); kept in the URL
let team = new URLSearchParams(location.search).get('team') || '';
// the Home tab instead of the channel (kept in the URL)
let showingHome = new URLSearchParams(location.search).get('home') === '1';
// the app's direct messages to you (exports, the Home tab's 7-day answer) instead of the channel
let showingDirect = new URLSearchParams(location.search).get('dm') === '1';
// after a command, the page scrolls to the answer it produces
let awaitingAnswer = false;

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Slack mrkdwn → HTML. Input arrives already entity-escaped (&amp; &lt; &gt;) as Slack sends it. */
function mrkdwn(text) {
  let s = String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  s = s.replace(/&amp;(amp|lt|gt);/g, '&$1;'); // Slack's own escapes stay escaped once
  s = s.replace(
    /&lt;@(U\w+)&gt;/g,
    (_, u) => `<span class="mention">@${u === state.user.id ? state.user.name || 'you' : u}</span>`,
  );
  s = s.replace(
    /&lt;!subteam\^(\w+)(?:\|@?([^&]+))?&gt;/g,
    (_, _id, h) => `<span class="mention">@${h || 'deliverability-oncall'}</span>`,
  );
  s = s.replace(
    /&lt;#(C\w+)(?:\|([^&]+))?&gt;/g,
    (_, id, name) =>
      `<span class="mention">#${name || (state.channel && state.channel.id === id ? state.channel.name : id)}</span>`,
  );
  s = s.replace(/&lt;(https?:[^|&]+)\|([^&]+)&gt;/g, '<a href="$1" target="_blank" rel="noopener">$2</a>');
  s = s.replace(/`([^`]+)`/g, '<code>$1</code>');
  s = s.replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>');
  s = s.replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>');
  s = s.replace(/(^|[\s(])~([^~\n]+)~/g, '$1<s>$2</s>');
  s = s.replace(/:([a-z_]+):/g, (m, name) => EMOJI[name] || m);
  return s.replace(/\n/g, '<br>');
}

const textOf = (t) => (!t ? '' : t.type === 'mrkdwn' ? mrkdwn(t.text) : esc(t.text));

function element(el, msg) {
  if (el.type === 'button') {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = el.text.text;
    if (el.style) b.className = el.style;
    b.dataset.actionId = el.action_id;
    b.addEventListener('click', () =>
      act(msg, { type: 'button', action_id: el.action_id, block_id: el._block_id, value: el.value, text: el.text }),
    );
    return b;
  }
  if (el.type === 'static_select') {
    const sel = document.createElement('select');
    sel.dataset.actionId = el.action_id;
    sel.setAttribute('aria-label', el.placeholder ? el.placeholder.text : el.action_id);
    const ph = document.createElement('option');
    ph.textContent = el.placeholder ? el.placeholder.text : 'Choose';
    ph.value = '';
    sel.appendChild(ph);
    for (const o of el.options) {
      const opt = document.createElement('option');
      opt.value = o.value;
      opt.textContent = o.text.text;
      if (el.initial_option && el.initial_option.value === o.value) opt.selected = true;
      sel.appendChild(opt);
    }
    sel.addEventListener('change', () => {
      const o = el.options.find((x) => x.value === sel.value);
      if (o) act(msg, { type: 'static_select', action_id: el.action_id, block_id: el._block_id, selected_option: o });
    });
    return sel;
  }
  const span = document.createElement('span');
  span.textContent = `[${el.type}]`;
  return span;
}

function block(b, msg) {
  const div = document.createElement('div');
  div.className = `block ${b.type}`;
  switch (b.type) {
    case 'header':
      div.textContent = b.text.text;
      break;
    case 'section': {
      div.classList.add('section');
      const t = document.createElement('div');
      t.className = 'text';
      if (b.text) t.innerHTML = textOf(b.text);
      if (b.fields) {
        const f = document.createElement('div');
        f.className = 'fields';
        f.innerHTML = b.fields.map((x) => `<div>${textOf(x)}</div>`).join('');
        t.appendChild(f);
      }
      div.appendChild(t);
      if (b.accessory) div.appendChild(element({ ...b.accessory, _block_id: b.block_id }, msg));
      break;
    }
    case 'context':
      div.innerHTML = b.elements
        .map((e) =>
          e.type === 'image'
            ? `<img src="${esc(e.image_url)}" alt="${esc(e.alt_text)}" width="16">`
            : `<span>${textOf(e)}</span>`,
        )
        .join('');
      break;
    case 'divider':
      break;
    case 'image': {
      const src = b.slack_file ? state.files[b.slack_file.id]?.url : b.image_url;
      div.innerHTML = `${b.title ? `<div class="title">${esc(b.title.text)}</div>` : ''}<img src="${esc(src || '')}" alt="${esc(b.alt_text)}" title="${esc(b.alt_text)}">`;
      break;
    }
    case 'actions':
      for (const el of b.elements) div.appendChild(element({ ...el, _block_id: b.block_id }, msg));
      break;
    default:
      div.textContent = `[${b.type}]`;
  }
  return div;
}

function messageView(m, inThread) {
  const div = document.createElement('div');
  div.className = `msg${m.visibleTo ? ' ephemeral' : ''}`;
  div.dataset.ts = m.ts;
  const when = new Date(Number(m.ts.split('.')[0]) * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
  });
  // a message you typed (a thread reply) is yours, not the app's
  const mine = m.user === state.user.id;
  const who = mine ? esc(state.user.name || 'you') : 'campaign-stats';
  div.classList.toggle('mine', mine);
  div.innerHTML = `<div class="avatar">${mine ? esc((state.user.name || 'you').slice(0, 2)) : 'cs'}</div><div class="body"><div class="meta"><b>${who}</b><span class="muted">${when}</span>${m.edits ? '<span class="edited">(edited)</span>' : ''}</div></div>`;
  const body = div.querySelector('.body');
  if (m.visibleTo) body.insertAdjacentHTML('beforeend', '<div class="eph-note">Only visible to you</div>');
  if (m.blocks?.length) for (const b of m.blocks) body.appendChild(block(b, m));
  else body.insertAdjacentHTML('beforeend', `<div class="block">${mrkdwn(m.text || '')}</div>`);
  for (const f of m.files || []) {
    const file = state.files[f];
    if (file && file.kind === 'csv')
      body.insertAdjacentHTML(
        'beforeend',
        `<div class="block file"><a href="${esc(file.url)}" download>📄 ${esc(file.title || 'file.csv')}</a></div>`,
      );
    else if (file)
      body.insertAdjacentHTML(
        'beforeend',
        `<div class="block image"><img src="${esc(file.url)}" alt="${esc(file.altText || '')}"></div>`,
      );
  }
  if (!inThread && !m.visibleTo) {
    // every message can be replied to (an alert asks for `ack` in its thread before anyone has)
    const replies = state.messages.filter((x) => x.threadTs === m.ts).length;
    {
      const b = document.createElement('button');
      b.className = 'replies';
      b.textContent = replies ? `${replies} repl${replies === 1 ? 'y' : 'ies'}` : 'Reply in thread';
      b.addEventListener('click', () => {
        openThread = m.ts;
        render();
      });
      body.appendChild(b);
    }
  }
  return div;
}

function renderHome() {
  const home = document.getElementById('home');
  const view = state.home;
  home.replaceChildren(
    ...(view
      ? view.blocks.map((b) => block(b, { home: true }))
      : [Object.assign(document.createElement('p'), { className: 'muted', textContent: 'Opening the Home tab…' })]),
  );
}

function render() {
  document.getElementById('home').hidden = !showingHome;
  document.getElementById('messages').hidden = showingHome;
  document.getElementById('composer').hidden = showingHome;
  document.getElementById('open-home').classList.toggle('active', showingHome);
  document.getElementById('open-direct').classList.toggle('active', showingDirect);
  if (showingHome) {
    renderHome();
    renderWorkspaces();
    document.getElementById('channel-name').textContent = 'Home';
    document.getElementById('thread').hidden = true;
    return;
  }
  const list = document.getElementById('messages');
  if (showingDirect) {
    document.getElementById('composer').hidden = true;
    document.getElementById('thread').hidden = true;
    list.replaceChildren(
      ...(state.direct.length
        ? state.direct.map((m) => messageView(m, true))
        : [Object.assign(document.createElement('p'), { className: 'muted', textContent: 'No direct messages yet.' })]),
    );
    renderWorkspaces();
    document.getElementById('channel-name').textContent = 'Direct messages from campaign-stats';
    return;
  }
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const before = list.querySelectorAll(':scope > .msg').length;
  list.replaceChildren(...state.messages.filter((m) => !m.threadTs).map((m) => messageView(m, false)));
  const views = list.querySelectorAll(':scope > .msg');
  if (awaitingAnswer && views.length > before) {
    awaitingAnswer = false;
    views[views.length - 1].scrollIntoView({ block: 'start' });
  } else if (atBottom) list.scrollTop = list.scrollHeight;
  renderWorkspaces();
  const pane = document.getElementById('thread');
  if (openThread) {
    const parent = state.messages.find((m) => m.ts === openThread);
    pane.hidden = !parent;
    if (parent)
      document
        .getElementById('thread-messages')
        .replaceChildren(
          messageView(parent, true),
          ...state.messages.filter((m) => m.threadTs === openThread).map((m) => messageView(m, true)),
        );
  } else pane.hidden = true;
}

function renderWorkspaces() {
  const nav = document.getElementById('workspaces');
  nav.replaceChildren(
    ...(state.workspaces || []).map((w) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `workspace${w.teamId === state.team ? ' active' : ''}`;
      b.dataset.team = w.teamId;
      b.innerHTML = `<b>${esc(w.name)}</b><span class="channel"># ${esc(w.channel.name)}</span>`;
      b.addEventListener('click', () => {
        team = w.teamId;
        showingHome = false;
        showingDirect = false;
        history.replaceState(null, '', `?team=${encodeURIComponent(team)}`);
        openThread = null;
        refresh();
      });
      return b;
    }),
  );
  const channel = state.channel ? `# ${state.channel.name}` : '';
  document.getElementById('channel-name').textContent = channel;
}

function say(text) {
  const out = document.getElementById('run-result');
  out.textContent = text;
  out.hidden = !text;
}

async function refresh() {
  const res = await fetch(`/local/state?team=${encodeURIComponent(team)}`);
  state = await res.json();
  team = state.team;
  if (state.digest) document.getElementById('run-digest').textContent = `Post the digest for ${state.digest.label}`;
  render();
}

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ team, ...(body || {}) }),
  });
  return res.json();
}

function act(msg, action) {
  if (msg.home) return post('/local/home-action', { action });
  return post('/local/action', { ts: msg.ts, action });
}

document.getElementById('open-direct').addEventListener('click', () => {
  showingDirect = true;
  showingHome = false;
  history.replaceState(null, '', `?team=${encodeURIComponent(team)}&dm=1`);
  render();
});

document.getElementById('open-home').addEventListener('click', async () => {
  showingHome = true;
  showingDirect = false;
  history.replaceState(null, '', `?team=${encodeURIComponent(team)}&home=1`);
  render();
  await post('/local/home');
});

document.getElementById('composer').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = document.getElementById('command');
  awaitingAnswer = true;
  await post('/local/command', { text: input.value });
  input.value = '/campaign-stats ';
});
document.getElementById('thread-reply').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = document.getElementById('reply');
  if (!openThread || !input.value.trim()) return;
  await post('/local/reply', { threadTs: openThread, text: input.value });
  input.value = '';
});
document.getElementById('run-digest').addEventListener('click', async () => {
  say('Posting the digest…');
  say((await post('/local/run/digest', state.digest ? { date: state.digest.date } : {})).message);
});
document.getElementById('run-report').addEventListener('click', async () => {
  say('Posting the weekly report…');
  say((await post('/local/run/report')).message);
});
document.getElementById('run-alerts').addEventListener('click', async () => {
  say('Evaluating alerts…');
  say((await post('/local/run/alerts')).message);
});
document.getElementById('replay-incident').addEventListener('click', async () => {
  say('Evaluating as of the demo incident…');
  say((await post('/local/run/alerts', { replay: true })).message);
});
document.getElementById('close-thread').addEventListener('click', () => {
  openThread = null;
  render();
});

const events = new EventSource('/local/events');
events.onmessage = () => refresh();
refresh().then(() => (showingHome ? post('/local/home') : undefined));
