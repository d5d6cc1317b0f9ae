// Traceability (溯源, 一物一码): look an item up by its code and see its batch, recall state,
// custody chain and lifecycle events, with a QR code of this page's address for the product's
// label (a consumer scans it and lands here).

import qrcode from '../vendor/qrcode.mjs';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { h, section, kv, table, accountLink, txLink, when, cli } from '../ui.js';

/** The address of an item's page, as its QR code carries it. */
export const itemUrl = (code) => `${location.origin}/#/trace/${encodeURIComponent(code)}`;

export async function render(main, code) {
  const input = h('input', { id: 'item-code', value: code || '', placeholder: t('item_code') });
  main.append(h('h1', {}, t('trace')), h('form', {
    class: 'inline', onsubmit: (e) => { e.preventDefault(); location.hash = `#/trace/${encodeURIComponent(input.value.trim())}`; },
  }, input, h('button', { type: 'submit' }, t('lookup'))));
  if (!code) {
    main.append(cli('hechain trace batch --product NAME --producer-label LABEL --attributes FILE CODE…'));
    return;
  }
  const v = await get(`/api/v1/trace/items/${encodeURIComponent(code)}`);
  const qr = qrcode(0, 'M');
  qr.addData(itemUrl(code));
  qr.make();
  const img = h('img', { id: 'item-qr', alt: itemUrl(code), src: qr.createDataURL(6, 4) });
  const b = v.batch;
  main.append(
    h('div', { class: 'two' },
      section(`${t('item_code')} ${v.code}`, kv({
        product: b.product, producer: b.producer_label, producer_address: b.producer, custodian: v.item.custodian,
        recalled: v.recalled, history_verified: v.history_verified, time: when(v.item.registered.timestamp_ms),
      })),
      section(t('scan_me'), img, h('p', { class: 'mono small' }, itemUrl(code)))),
    section(t('custody'), h('ol', { id: 'custody' }, ...v.custody_chain.map((a) => h('li', {}, accountLink(a)))),
      v.item.pending ? h('p', {}, `→ ${t('pending')}: `, accountLink(v.item.pending.to)) : ''),
    section(`${t('events')} (${v.events.length})`, table(
      [t('time'), t('type'), 'stage', 'location', 'note', t('sender'), t('transaction')],
      v.events.map((e) => [when(e.kind.event_time_ms || e.recorded.timestamp_ms), e.kind.type, e.kind.stage || '', e.kind.location || '',
        e.kind.note || '', accountLink(e.author), txLink(e.recorded.tx_hash)]),
      { id: 'item-events' })),
    section(`${t('product')}: ${b.product}`, kv(b)),
  );
}
