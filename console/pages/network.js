// The network: organisations and their nodes, validators and observers of the current epoch,
// each node's height, round and connection as this node sees it, and a health verdict an
// operator reads at a glance. Refreshed every second.

import { get } from '../api.js';
import { t } from '../i18n.js';
import { h, section, table } from '../ui.js';

/**
 * The verdict on the network from this node's consensus status: `halted` when fewer than a
 * quorum of validators are reachable or the safety-violation counter is above 0, `degraded`
 * when a validator is missing, a node is behind or rounds keep timing out, else `healthy`.
 * Each problem is listed in words.
 */
export function verdict(status) {
  const c = status.consensus;
  if (!c) return { level: 'healthy', problems: [] };
  const problems = [];
  let level = 'healthy';
  const head = Math.max(c.executed_height, ...c.peers.map((p) => p.height || 0));
  const validatorsUp = 1 + c.peers.filter((p) => p.role === 'validator' && p.connected).length - (c.role === 'validator' ? 0 : 1);
  for (const p of c.peers) {
    if (!p.connected && p.role === 'validator') problems.push(`${p.name}: ${t('missing')}`);
    else if (!p.connected) problems.push(`${p.name}: ${t('disconnected')}`);
    else if (head - p.height > 5) problems.push(`${p.name}: ${t('behind', { n: head - p.height })}`);
  }
  if (head - c.executed_height > 5) problems.push(`${t('this_node')}: ${t('behind', { n: head - c.executed_height })}`);
  if (problems.length) level = 'degraded';
  if (c.stalled || (c.role === 'validator' && c.round - c.high_qc_round > 3)) {
    problems.push(t('timeouts') + (c.stalled ? `: ${c.stalled}` : ''));
    level = 'degraded';
  }
  if (validatorsUp < c.quorum || c.safety_violations > 0) level = 'halted';
  if (c.safety_violations > 0) problems.push(`${t('safety')}: ${c.safety_violations}`);
  return { level, problems };
}

/** Every membership epoch (oldest first from the API, shown newest first), paged through. */
async function epochs() {
  const all = [];
  let after = null;
  for (let i = 0; i < 20; i++) {
    const page = await get(`/api/v1/governance/epochs?limit=100${after === null ? '' : `&after=${after}`}`);
    all.push(...page.epochs);
    if (page.next_after === null || page.next_after === undefined) break;
    after = page.next_after;
  }
  const names = (list) => list.map((n) => `${n.name}${n.org ? ` (${n.org})` : ''}`).join(', ') || '—';
  return section(t('epochs'), table([t('epoch'), t('start_height'), t('validators'), t('observers'), t('orgs')],
    all.reverse().map((m) => [m.epoch, m.start_height, names(m.validators), names(m.observers), m.orgs.map((o) => o.name).join(', ') || '—']),
    { id: 'epochs' }));
}

export async function render(main) {
  const box = h('div', { id: 'network' });
  main.append(h('h1', {}, t('network')), box);
  const draw = async () => {
    const [status, gov] = await Promise.all([get('/api/v1/status'), get('/api/v1/governance')]);
    const m = gov.membership;
    const c = status.consensus;
    const v = verdict(status);
    const peer = (name) => (c ? c.peers.find((p) => p.name === name) : null);
    const nodeRow = (n, role) => {
      const p = peer(n.name);
      const self = c ? !p : true;
      const height = self ? (c ? c.executed_height : status.height) : p.height;
      const round = self ? (c ? c.round : '—') : p.round;
      const up = self || p.connected;
      return h('tr', { 'data-node': n.name, class: up ? '' : 'down' },
        h('td', {}, n.name, self ? h('span', { class: 'badge' }, t('this_node')) : ''), h('td', {}, n.org || '—'), h('td', {}, t(role)),
        h('td', {}, height), h('td', {}, round), h('td', {}, c && c.leader === n.name ? '★' : ''),
        h('td', { class: up ? 'ok' : 'bad' }, up ? t('connected') : t('disconnected')));
    };
    const rows = [
      ...m.validators.map((n) => nodeRow(n, 'validator')),
      ...(m.observers || []).map((n) => nodeRow(n, 'observer')),
    ];
    const orgs = (m.orgs || []).map((o) => [o.name || o.id || JSON.stringify(o), [...m.validators, ...(m.observers || [])].filter((n) => n.org === (o.name || o.id)).map((n) => n.name).join(', ')]);
    box.replaceChildren(
      h('div', { class: `verdict ${v.level}`, id: 'verdict', 'data-level': v.level },
        h('strong', {}, `${t('health')}: ${t(v.level)}`),
        c ? '' : h('span', {}, ` — ${t('solo')}`),
        v.problems.length ? h('ul', {}, ...v.problems.map((p) => h('li', {}, p))) : ''),
      section(`${t('epoch')} ${m.epoch}`, h('div', { class: 'cards' },
        ...[['validators', m.validators.length], ['observers', (m.observers || []).length], ['quorum', c ? c.quorum : 1],
          ['round', c ? c.round : '—'], ['leader', c && c.leader ? c.leader : '—'], ['peers', c ? c.connected_peers : 0]]
          .map(([k, val]) => h('div', { class: 'stat' }, h('div', { class: 'label' }, t(k)), h('div', { class: 'value' }, val))))),
      section(t('node'), h('table', { class: 'grid', id: 'nodes' },
        h('thead', {}, h('tr', {}, ...['node', 'org', 'role', 'height', 'round', 'leader', 'status'].map((k) => h('th', {}, t(k))))),
        h('tbody', {}, ...rows))),
      orgs.length ? section(t('orgs'), table([t('org'), t('node')], orgs)) : '',
    );
  };
  await draw();
  main.append(await epochs());
  const timer = setInterval(() => draw().catch(() => {}), 1000);
  return () => clearInterval(timer);
}
