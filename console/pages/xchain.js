// Cross-chain (跨链): the light clients this chain holds of other chains (the chain each follows,
// its validator-set epoch, the highest header it accepted, frozen on misbehaviour) and the
// channels over them (ports, state, the other end, packets sent, pending and acknowledged); a
// channel's page lists the packets still pending. Relayers and users act with the CLI.

import { get } from '../api.js';
import { t } from '../i18n.js';
import { h, section, kv, table, when, cli } from '../ui.js';

const short = (hash) => `${hash.slice(0, 10)}…`;

export async function render(main, id) {
  if (id) return channel(main, id);
  const [clients, channels] = await Promise.all([
    get('/api/v1/xchain/clients?limit=100'), get('/api/v1/xchain/channels?limit=100'),
  ]);
  main.append(h('h1', {}, t('xchain')));
  main.append(section(t('xc_clients'), table(
    ['#', t('chain_id'), t('suite'), t('xc_genesis'), t('epoch'), t('xc_latest'), t('status')],
    clients.clients.map((c) => [c.id, c.chain_id, c.suite, h('code', { title: c.genesis_hash }, short(c.genesis_hash)),
      c.epoch, c.latest_height, c.frozen ? h('span', { class: 'bad' }, `${t('frozen')} @ ${c.frozen.height}`) : t('xc_active')]),
    { id: 'xc-clients' })));
  main.append(section(t('xc_channels'), table(
    ['#', t('xc_port'), t('status'), t('xc_other_end'), t('xc_client'), t('xc_order'), t('xc_sent'), t('xc_acked')],
    channels.channels.map((c) => [h('a', { href: `#/xchain/${c.id}` }, c.id), c.end.port, c.end.state,
      `${c.end.counterparty.port} #${c.end.counterparty.channel ?? '—'}`, c.client, c.end.ordering,
      c.next_send - 1, c.end.ordering === 'ordered' ? c.next_ack - 1 : '—']),
    { id: 'xc-channels' })));
  main.append(cli('hechain relay connect --a URL_A --b URL_B   ·   hechain relay start --a URL_A --b URL_B --channel ID'));
}

async function channel(main, id) {
  const [c, pending] = await Promise.all([
    get(`/api/v1/xchain/channels/${encodeURIComponent(id)}`),
    get(`/api/v1/xchain/channels/${encodeURIComponent(id)}/packets?limit=100`),
  ]);
  main.append(h('h1', {}, `${t('xc_channel')} ${c.channel.id}`));
  main.append(section(t('xc_channel'), kv({ ...c.channel, next_recv: c.next_recv, escrow: c.escrow })));
  main.append(section(`${t('xc_pending')} (${pending.packets.length}${pending.next_after ? '+' : ''})`, table(
    [t('xc_sequence'), t('xc_to'), t('xc_timeout'), t('xc_bytes')],
    pending.packets.map((p) => [p.sequence, `${p.destination_port} #${p.destination_channel}`,
      [p.timeout_height ? `${t('height')} ${p.timeout_height}` : '', p.timeout_ms ? when(p.timeout_ms) : ''].filter(Boolean).join(' · '),
      (p.data.length - 2) / 2]),
    { id: 'xc-pending' })));
  main.append(cli(`hechain xchain packets ${c.channel.id}   ·   hechain xchain close ${c.channel.id}`));
}
