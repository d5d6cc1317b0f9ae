// DOM helpers shared by the pages: element building, formatting, links to explorer pages and a
// generic renderer for the API's JSON records (every payload, event and module record kind is
// shown field by field, so a new kind needs no page change).

import { t } from './i18n.js';

/** Creates an element: h('a', {href: '#/'}, 'text', child, …). Strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const short = (s, n = 10) => (typeof s === 'string' && s.length > 2 * n + 2 ? `${s.slice(0, n + 2)}…${s.slice(-n)}` : s);

export function when(ms) {
  if (ms === undefined || ms === null) return '';
  return new Date(Number(ms)).toLocaleString();
}

export function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - Number(ms)) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;

export const blockLink = (hOrHash, text) => h('a', { href: `#/block/${hOrHash}` }, text ?? String(hOrHash));
export const txLink = (hash, text) => h('a', { href: `#/tx/${hash}`, class: 'mono' }, text ?? short(hash));
export const accountLink = (a) => h('a', { href: `#/account/${a}`, class: 'mono' }, short(a, 8));

/**
 * The kind, sender and nonce of a transaction as `GET /api/v1/transactions/{hash}` gives it: a
 * native one names its payload type; an Ethereum one (`{ethereum, from}`) is `ethereum`.
 */
export function txSummary(lookup) {
  const native = lookup.transaction.tx;
  return native
    ? { type: native.payload.type, sender: native.sender, nonce: native.nonce }
    : { type: 'ethereum', sender: lookup.transaction.from, nonce: null };
}

/** A value as text or a link: addresses to account pages, hashes to the search page. */
export function value(key, v) {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, '—');
  if (typeof v === 'boolean') return t(v ? 'yes' : 'no');
  if (typeof v === 'string' && ADDRESS.test(v)) return accountLink(v);
  if (typeof v === 'string' && HASH.test(v)) {
    if (key === 'tx_hash') return txLink(v);
    if (key === 'block_hash') return blockLink(v, short(v));
    return h('a', { href: `#/search/${v}`, class: 'mono', title: v }, short(v));
  }
  if (key === 'height' && (typeof v === 'number' || /^\d+$/.test(v))) return blockLink(v);
  if (typeof v === 'number' && /(_ms|timestamp)$/.test(key) && v > 1e11) return `${when(v)}`;
  return String(v);
}

/** A record (any JSON object) as a two-column table; nested objects and lists nest. */
export function kv(obj, keys) {
  const table = h('table', { class: 'kv' });
  for (const k of keys || Object.keys(obj || {})) {
    const v = obj[k];
    let cell;
    if (Array.isArray(v)) cell = v.length === 0 ? h('span', { class: 'muted' }, '[]') : list(v, k);
    else if (v && typeof v === 'object') cell = kv(v);
    else cell = value(k, v);
    table.append(h('tr', {}, h('th', {}, t(k)), h('td', {}, cell)));
  }
  return table;
}

function list(items, key) {
  if (items.every((i) => i === null || typeof i !== 'object')) {
    return h('div', {}, ...items.map((i) => h('div', {}, value(key, i))));
  }
  return h('div', { class: 'list' }, ...items.map((i) => (i && typeof i === 'object' ? kv(i) : value(key, i))));
}

/** A table with a header row; rows are arrays of cells. */
export function table(head, rows, attrs = {}) {
  return h('table', { class: 'grid', ...attrs },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));
}

export const section = (title, ...body) => h('section', { class: 'card' }, h('h2', {}, title), ...body);

/** The CLI command that does what a page cannot sign without a wallet. */
export const cli = (cmd) => h('p', { class: 'cli' }, t('cli_does_same'), ' ', h('code', {}, cmd));

export function errorBox(e) {
  const code = e && e.code ? `${e.code}: ` : '';
  return h('div', { class: 'error', role: 'alert' }, `${t('error')} — ${code}${e && e.message ? e.message : e}`);
}

/** Saves a Blob as a file. */
export function saveBlob(b, name) {
  const url = URL.createObjectURL(b);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A drop zone that also opens a file chooser when clicked; calls onFile(File). */
export function dropZone(label, onFile, id) {
  const input = h('input', { type: 'file', hidden: true, id: id ? `${id}-input` : undefined });
  const zone = h('div', { class: 'drop', tabindex: 0, id }, label, input);
  zone.addEventListener('click', () => input.click());
  input.addEventListener('change', () => input.files[0] && onFile(input.files[0]));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer.files[0]) onFile(e.dataTransfer.files[0]);
  });
  return zone;
}
