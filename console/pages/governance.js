// Governance (联盟治理): the committee and its threshold, membership and epochs, every proposal
// with its votes and outcome. Votes are signed by committee members' keys: with the CLI here
// (or a browser wallet holding the key, see docs/console.md).

import { get } from '../api.js';
import { t } from '../i18n.js';
import { h, section, kv, table, accountLink, when, cli, errorBox } from '../ui.js';
import { GOVERNANCE, hasWallet, send } from '../wallet.js';

export async function render(main, id) {
  if (id) return proposal(main, id);
  const [g, list] = await Promise.all([get('/api/v1/governance'), get('/api/v1/governance/proposals?limit=100')]);
  main.append(h('h1', {}, t('governance')));
  main.append(section(t('committee'),
    h('p', {}, `${t('threshold')}: ${(g.config.threshold_bps / 100).toFixed(2)}% · voting period ${Math.round(g.config.voting_period_ms / 3600000)} h`),
    table([t('members'), t('org'), t('weight')], g.committee.map((m) => [accountLink(m.address), m.org || '—', m.weight]))));
  main.append(section(`${t('membership')} · ${t('epoch')} ${g.membership.epoch}`, kv(g.membership)));
  // Newest first; yes / no weights against the total and the threshold.
  const rows = list.proposals.slice().reverse().map((p) => [
    h('a', { href: `#/gov/${p.id}` }, p.id), p.action.action, p.status.state,
    `${p.votes} (${t('yes')} ${p.yes_weight} / ${t('no')} ${p.no_weight} / ${p.total_weight}, ${(p.threshold_bps / 100).toFixed(2)}%)`,
    when(p.created.timestamp_ms)]);
  main.append(section(t('proposals'), table(['#', t('action'), t('outcome'), t('votes'), t('time')], rows, { id: 'proposals' })));
  main.append(cli('hechain gov propose ACTION …   ·   hechain gov vote ID yes|no'));
}

/** With a browser wallet and an open proposal: vote yes / no, signed by the wallet. */
function walletVote(chainId, id) {
  const note = h('span', { id: 'wallet-status', class: 'muted' });
  const vote = (approve) => async () => {
    try {
      note.textContent = t('wallet_signing');
      await send(chainId, GOVERNANCE, 'vote', [id, approve], (tx) => { note.textContent = `${t('wallet_sent')} ${tx}`; });
      location.reload();
    } catch (e) {
      note.replaceChildren(errorBox(e));
    }
  };
  return h('p', { class: 'wallet' }, `${t('wallet')}: `,
    h('button', { type: 'button', id: 'vote-yes', onclick: vote(true) }, t('vote_yes')), ' ',
    h('button', { type: 'button', id: 'vote-no', onclick: vote(false) }, t('vote_no')), ' ', note);
}

async function proposal(main, id) {
  const [{ proposal: p, votes }, status] = await Promise.all([get(`/api/v1/governance/proposals/${id}`), get('/api/v1/status')]);
  main.append(h('h1', {}, `${t('proposal')} #${id}: ${p.action.action}`),
    h('div', { class: `verdict ${p.status.state === 'applied' ? 'healthy' : p.status.state === 'open' ? 'degraded' : 'halted'}`, id: 'proposal-outcome' },
      h('strong', {}, `${t('outcome')}: ${p.status.state}`),
      ` — ${t('yes')} ${p.yes_weight} / ${t('no')} ${p.no_weight} / ${p.total_weight}, ${t('threshold')} ${(p.threshold_bps / 100).toFixed(2)}%`),
    section(t('votes'), table([t('members'), t('outcome'), t('weight'), t('time')],
      votes.map((v) => [accountLink(v.voter), t(v.approve ? 'yes' : 'no'), v.weight, when(v.at.timestamp_ms)]), { id: 'votes' })),
    section(t('action'), kv(p.action)), section(t('proposal'), kv(p)),
    p.status.state === 'open' && hasWallet() ? walletVote(status.chain_id, Number(id)) : '',
    cli(`hechain gov vote ${id} yes`));
}
