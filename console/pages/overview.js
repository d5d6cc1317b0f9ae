// Chain overview: status cards, TPS and block-time sparklines, the latest blocks and
// transactions, all updated live from the block stream.

import uPlot from '../vendor/uPlot.esm.js';
import { get, followBlocks } from '../api.js';
import { t } from '../i18n.js';
import { h, section, table, blockLink, txLink, accountLink, short, ago, txSummary } from '../ui.js';

const KEEP = 60; // blocks kept for the sparklines and TPS
const ROWS = 15; // rows of the latest-blocks list

export async function render(main) {
  const [status, list] = await Promise.all([get('/api/v1/status'), get(`/api/v1/blocks?limit=${KEEP}`)]);
  let blocks = list.blocks.slice().reverse(); // oldest first
  const cards = h('div', { class: 'cards' });
  const charts = h('div', { class: 'charts' });
  const blockBody = h('tbody', { id: 'latest-blocks' });
  const txBody = h('tbody', { id: 'latest-txs' });
  main.append(
    cards,
    section(`${t('tps')} · ${t('block_time')}`, charts),
    h('div', { class: 'two' },
      section(h('span', {}, t('latest_blocks'), ' ', h('span', { class: 'badge live' }, t('live'))),
        h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...['height', 'hash', 'txs', 'time'].map((k) => h('th', {}, t(k))))), blockBody)),
      section(t('latest_txs'),
        h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...['hash', 'type', 'sender', 'block'].map((k) => h('th', {}, t(k))))), txBody))),
  );

  const stats = () => {
    const span = blocks.length > 1 ? blocks[blocks.length - 1].timestamp_ms - blocks[0].timestamp_ms : 0;
    const txs = blocks.slice(1).reduce((n, b) => n + b.tx_count, 0);
    return { tps: span > 0 ? (txs * 1000) / span : 0, interval: blocks.length > 1 ? span / (blocks.length - 1) : 0 };
  };
  const drawCards = () => {
    const head = blocks[blocks.length - 1];
    const { tps, interval } = stats();
    const card = (k, v, id) => h('div', { class: 'stat', id }, h('div', { class: 'label' }, t(k)), h('div', { class: 'value' }, v));
    cards.replaceChildren(
      card('chain_id', status.chain_id), card('suite', status.suite === 'gm' ? 'gm (SM2/SM3)' : 'standard'),
      card('height', head ? head.height : status.height, 'stat-height'), card('epoch', status.epoch),
      card('validators', status.validators.length), card('pending', status.pending_txs),
      card('tps', tps.toFixed(1)), card('block_time', `${Math.round(interval)} ms`));
  };

  // Sparklines: transactions per block and the interval before each block.
  const series = () => {
    const xs = [], txs = [], gaps = [];
    blocks.forEach((b, i) => {
      xs.push(b.height);
      txs.push(b.tx_count);
      gaps.push(i > 0 ? b.timestamp_ms - blocks[i - 1].timestamp_ms : null);
    });
    return [xs, txs, gaps];
  };
  const opts = (title, idx, color) => ({
    title, width: 420, height: 140, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: false } }, axes: [{ show: false }, { size: 50 }],
    series: [{}, ...[1, 2].map((i) => ({ show: i === idx, stroke: color, width: 1.5, fill: `${color}22` }))],
  });
  const data = series();
  const txChart = new uPlot(opts(`${t('txs')} / ${t('block')}`, 1, '#2563eb'), data, charts);
  const gapChart = new uPlot(opts(`${t('block_time')} (ms)`, 2, '#16a34a'), data, charts);

  const blockRow = (b) => h('tr', { 'data-height': b.height },
    h('td', {}, blockLink(b.height)), h('td', { class: 'mono' }, short(b.hash, 8)), h('td', {}, b.tx_count),
    h('td', { title: new Date(b.timestamp_ms).toLocaleString() }, ago(b.timestamp_ms)));
  blockBody.replaceChildren(...blocks.slice(-ROWS).reverse().map(blockRow));

  // Latest transactions: from the newest block that has any (looking further back than the
  // sparkline's blocks, a page of summaries at a time, up to 1,000 blocks), at most once a second.
  let txTimer = null;
  let lastTxBlock = null;
  const newestWithTxs = async () => {
    const recent = [...blocks].reverse().find((b) => b.tx_count > 0);
    if (recent || !blocks.length) return recent;
    let before = blocks[0].height;
    for (let i = 0; i < 10 && before > 0; i++) {
      const older = await get(`/api/v1/blocks?before=${before}&limit=100`);
      const hit = older.blocks.find((b) => b.tx_count > 0);
      if (hit || older.next_before === undefined) return hit;
      before = older.next_before;
    }
    return undefined;
  };
  const refreshTxs = async () => {
    txTimer = null;
    const withTxs = await newestWithTxs();
    // `data-loaded` tells that the list is settled: `none` (no transaction in 1,000 blocks) or `rows`.
    if (!withTxs) txBody.dataset.loaded = 'none';
    if (!withTxs || withTxs.height === lastTxBlock) return;
    lastTxBlock = withTxs.height;
    const b = await get(`/api/v1/blocks/${withTxs.height}`);
    const rows = await Promise.all(b.transactions.slice(0, 10).map(async (hash) => {
      const tx = await get(`/api/v1/transactions/${hash}`);
      const { type, sender } = txSummary(tx);
      return h('tr', {}, h('td', {}, txLink(hash)), h('td', {}, type),
        h('td', {}, sender ? accountLink(sender) : ''),
        h('td', {}, blockLink(b.header.height)));
    }));
    txBody.replaceChildren(...rows);
    txBody.dataset.loaded = 'rows';
  };
  const scheduleTxs = () => { if (!txTimer) txTimer = setTimeout(() => refreshTxs().catch(() => {}), 1000); };

  // Live: a block at a time; the DOM is updated once per animation frame, however many arrived.
  let queued = [];
  let frame = null;
  const flush = () => {
    frame = null;
    const fresh = queued.filter((b) => !blocks.length || b.height > blocks[blocks.length - 1].height);
    queued = [];
    if (!fresh.length) return;
    blocks = blocks.concat(fresh).slice(-KEEP);
    for (const b of fresh) blockBody.prepend(blockRow(b));
    while (blockBody.children.length > ROWS) blockBody.lastChild.remove();
    const d = series();
    txChart.setData(d);
    gapChart.setData(d);
    drawCards();
    if (fresh.some((b) => b.tx_count > 0)) scheduleTxs();
  };
  const stop = followBlocks((b) => {
    queued.push(b);
    if (!frame) frame = requestAnimationFrame(flush);
  });
  const statusTimer = setInterval(async () => {
    try {
      Object.assign(status, await get('/api/v1/status'));
      drawCards();
    } catch (_) { /* the next tick retries */ }
  }, 5000);

  drawCards();
  refreshTxs().catch(() => {});
  return () => {
    stop();
    clearInterval(statusTimer);
    if (txTimer) clearTimeout(txTimer);
    if (frame) cancelAnimationFrame(frame);
    txChart.destroy();
    gapChart.destroy();
  };
}
