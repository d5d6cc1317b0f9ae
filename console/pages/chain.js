// Explorer pages: a block, a transaction (decoded payload, receipt, events, logs), an account
// (balance, nonce, roles, frozen flag, contract code, its records) and the search box's answers.

import { get, find, rpc } from '../api.js';
import { contractSection } from './contract.js';
import { t } from '../i18n.js';
import { h, section, kv, table, txLink, short, errorBox, txSummary } from '../ui.js';

export async function block(main, id) {
  const b = await get(`/api/v1/blocks/${id}`);
  const hd = b.header;
  const status = await get('/api/v1/governance').catch(() => null);
  const names = status ? status.membership.validators.map((v) => v.name) : [];
  main.append(
    h('h1', {}, `${t('block')} #${hd.height}`),
    h('p', { class: 'pager' },
      hd.height > 0 ? h('a', { href: `#/block/${hd.height - 1}`, id: 'prev-block' }, `← ${t('prev')}`) : '',
      ' ', h('a', { href: `#/block/${hd.height + 1}`, id: 'next-block' }, `${t('next')} →`)),
    section(t('block'), kv({ hash: b.hash, ...hd, timestamp_ms: hd.timestamp_ms })),
    section(t('seal'), table([t('node'), 'signature'],
      b.seal.signatures.map((s) => [names[s.validator] || `#${s.validator}`, h('span', { class: 'mono' }, short(s.signature, 16))]))),
    section(`${t('txs')} (${b.transactions.length})`, table(['#', t('hash')], b.transactions.map((tx, i) => [i, txLink(tx, tx)]))),
  );
}

export async function tx(main, hash) {
  const lookup = await get(`/api/v1/transactions/${hash}`);
  const receipt = lookup.status === 'committed' ? await find(`/api/v1/receipts/${hash}`) : null;
  const ctx = lookup.transaction;
  main.append(h('h1', {}, t('transaction')), h('p', { class: 'mono' }, hash));
  const where = { status: lookup.status, height: lookup.height, block_hash: lookup.block_hash, index: lookup.index };
  main.append(section(t('status'), kv(where)));
  if (ctx.tx) {
    const { payload, ...rest } = ctx.tx;
    main.append(section(`${t('payload')}: ${payload.type}`, kv(payload)));
    main.append(section(t('transaction'), kv({ ...rest, signature_scheme: ctx.signature ? ctx.signature.scheme : null })));
  } else {
    // An Ethereum transaction: its fields as the JSON-RPC reports them.
    const eth = await rpc('eth_getTransactionByHash', [hash]).catch(() => null);
    main.append(section(`${t('payload')}: ethereum`, kv(eth || ctx)));
  }
  if (receipt) {
    const { events, logs, ...rest } = receipt;
    main.append(section(t('receipt'), kv(rest)));
    main.append(section(`${t('events')} (${(events || []).length})`,
      ...(events || []).map((e) => h('div', { class: 'event' }, h('h3', {}, e.type), kv(e)))));
    if (logs && logs.length) main.append(section(`${t('logs')} (${logs.length})`, ...logs.map((l) => kv(l))));
  }
}

export async function account(main, address) {
  const [acc, gov, code] = await Promise.all([
    get(`/api/v1/accounts/${address}`),
    find(`/api/v1/governance/accounts/${address}`).catch(() => null),
    rpc('eth_getCode', [address, 'latest']).catch(() => '0x'),
  ]);
  main.append(h('h1', {}, t('account')), h('p', { class: 'mono', id: 'account-address' }, acc.address));
  const summary = { balance: acc.balance, nonce: acc.nonce, pending_nonce: acc.pending_nonce };
  if (gov) Object.assign(summary, { roles: gov.roles || [], frozen: !!gov.frozen });
  main.append(section(t('account'), kv(summary)));
  if (gov) main.append(section(t('governance'), kv(gov)));
  main.append(await sentTransactions(acc.address));
  if (code && code !== '0x') main.append(await contractSection(acc.address, code));
  // The account's records in each service.
  const lists = [
    ['evidence', `/api/v1/evidence/by-submitter/${address}`],
    ['vouchers', `/api/v1/vouchers/by-holder/${address}`],
    ['copyright', `/api/v1/copyright/by-owner/${address}`],
    ['ecerts', `/api/v1/ecerts/by-holder/${address}`],
    ['trace', `/api/v1/trace/by-custodian/${address}`],
    ['invoices', `/api/v1/invoices/by-issuer/${address}`],
  ];
  const found = await Promise.all(lists.map(([k, p]) => find(p).then((v) => [k, v]).catch(() => [k, null])));
  for (const [k, v] of found) {
    const items = v && (Array.isArray(v) ? v : Object.values(v).find(Array.isArray));
    if (items && items.length) main.append(section(`${t('records')}: ${t(k)} (${items.length})`, ...items.slice(0, 20).map((i) => kv(i))));
  }
}

/** The transactions an account sent, newest first, 20 at a time ("older" loads the next page). */
async function sentTransactions(address) {
  const body = h('tbody', {});
  const more = h('button', { type: 'button', id: 'older-txs', hidden: true }, t('older'));
  let before = null;
  const load = async () => {
    const q = before ? `&before=${before}` : '';
    const page = await get(`/api/v1/accounts/${address}/transactions?limit=20${q}`);
    const rows = await Promise.all(page.transactions.map(async (x) => {
      const tx = await get(`/api/v1/transactions/${x.hash}`);
      const { type, nonce } = txSummary(tx);
      return h('tr', {}, h('td', {}, txLink(x.hash)), h('td', {}, type), h('td', {}, nonce ?? ''), h('td', {}, h('a', { href: `#/block/${x.height}` }, x.height)));
    }));
    body.append(...rows);
    if (!body.children.length) body.append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, t('none'))));
    before = page.next_before || null;
    more.hidden = !before;
  };
  more.addEventListener('click', () => load().catch(() => {}));
  await load();
  return section(t('sent_txs'), h('table', { class: 'grid', id: 'account-txs' },
    h('thead', {}, h('tr', {}, ...['hash', 'type', 'nonce', 'block'].map((k) => h('th', {}, t(k))))), body), more);
}

/**
 * The search box: a height, a block or transaction hash, an address, an evidence content
 * hash, an item code, or a voucher / work / invoice / e-certificate / evidence id. Every
 * interpretation is tried; one match opens its page, several are listed.
 */
export async function search(main, q) {
  q = q.trim();
  const tries = [];
  if (/^\d+$/.test(q)) {
    tries.push([`${t('block')} #${q}`, `/api/v1/blocks/${q}`, `#/block/${q}`]);
    for (const [k, p, href] of [
      ['evidence', `/api/v1/evidence/${q}`, `#/evidence?id=${q}`], ['voucher', `/api/v1/vouchers/${q}`, `#/vouchers/${q}`],
      ['work', `/api/v1/copyright/works/${q}`, `#/copyright/${q}`], ['invoice', `/api/v1/invoices/${q}`, `#/invoices/${q}`],
      ['ecert', `/api/v1/ecerts/${q}`, `#/ecerts/${q}`], ['proposal', `/api/v1/governance/proposals/${q}`, `#/gov/${q}`],
    ]) tries.push([`${t(k)} ${q}`, p, href]);
  } else if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
    tries.push([t('transaction'), `/api/v1/transactions/${q}`, `#/tx/${q}`]);
    tries.push([t('block'), `/api/v1/blocks/${q}`, `#/block/${q}`]);
    tries.push([t('evidence'), `/api/v1/evidence/by-hash/${q}`, `#/evidence?hash=${q}`]);
    tries.push([t('work'), `/api/v1/copyright/works/by-hash/${q}`, null]);
  } else if (/^0x[0-9a-fA-F]{40}$/.test(q)) {
    location.hash = `#/account/${q}`;
    return;
  } else {
    tries.push([`${t('item_code')} ${q}`, `/api/v1/trace/items/${encodeURIComponent(q)}`, `#/trace/${encodeURIComponent(q)}`]);
  }
  const results = await Promise.all(tries.map(async ([label, path, href]) => {
    try {
      const v = await find(path);
      if (!v) return null;
      // A work found by hash: link to its page by id.
      const link = href || (v.work ? `#/copyright/${v.work.id}` : v.id !== undefined ? `#/copyright/${v.id}` : null);
      return [label, link];
    } catch (_) {
      return null;
    }
  }));
  const hits = results.filter(Boolean);
  if (hits.length === 1 && hits[0][1]) {
    location.replace(hits[0][1]);
    return;
  }
  main.append(h('h1', {}, `${t('search')}: ${q}`));
  if (!hits.length) {
    main.append(errorBox(new Error(t('no_match'))));
    return;
  }
  main.append(section(t('matches'), h('ul', { id: 'search-results' }, ...hits.map(([label, href]) => h('li', {}, h('a', { href }, label))))));
}

