// Service records by id: receivable vouchers with their split tree (供应链金融), copyright works
// and licences (版权), e-certificates with grants and the access audit log (电子证照) and
// e-invoices (电子发票). Each shows the record field by field and the CLI command that acts on it.

import { get, find } from '../api.js';
import { t } from '../i18n.js';
import { h, section, kv, accountLink, cli, errorBox } from '../ui.js';

function idForm(main, title, base, id) {
  const input = h('input', { id: 'record-id', value: id || '', placeholder: t('id'), inputmode: 'numeric' });
  main.append(h('h1', {}, title), h('form', {
    class: 'inline', onsubmit: (e) => { e.preventDefault(); location.hash = `${base}/${encodeURIComponent(input.value.trim())}`; },
  }, input, h('button', { type: 'submit' }, t('open'))));
}

/** A voucher's split tree: every part from the issued one down, with holder, amount, state. */
async function splitTree(rootId) {
  const node = async (id) => {
    const p = await get(`/api/v1/vouchers/parts/${id}`);
    const kids = await Promise.all(p.children.map(node));
    return h('li', { 'data-part': p.id },
      h('span', { class: p.closed ? 'muted' : '' }, `#${p.id} · ${p.amount} · `, accountLink(p.holder), ` · ${p.status.state}`),
      kids.length ? h('ul', {}, ...kids) : '');
  };
  return h('ul', { class: 'tree', id: 'split-tree' }, await node(rootId));
}

export async function vouchers(main, id) {
  idForm(main, t('vouchers'), '#/vouchers', id);
  if (!id) return void main.append(cli('hechain voucher issue HOLDER AMOUNT --maturity DATE --reference FILE'));
  const v = await get(`/api/v1/vouchers/${id}`);
  main.append(section(`${t('voucher')} ${v.voucher.id}`, kv(v.voucher)));
  // The first part (created at issuance) is the root of every lineage.
  const anyPart = v.live_parts[0] ? v.live_parts[0].id : null;
  const root = anyPart !== null ? (await get(`/api/v1/vouchers/parts/${anyPart}/lineage`)).lineage[0].id : null;
  if (root !== null) main.append(section(t('split_tree'), await splitTree(root)));
  main.append(cli(`hechain voucher split PART TO:AMOUNT …   ·   hechain voucher cert --voucher ${id} --out FILE`));
}

export async function copyright(main, id) {
  idForm(main, t('copyright'), '#/copyright', id);
  if (!id) return void main.append(cli('hechain copyright register …'));
  const [w, lic] = await Promise.all([get(`/api/v1/copyright/works/${id}`), find(`/api/v1/copyright/works/${id}/licenses`)]);
  main.append(section(`${t('work')} ${id}`, kv(w)));
  if (lic) main.append(section(t('licenses'), kv(lic)));
}

export async function ecerts(main, id) {
  idForm(main, t('ecerts'), '#/ecerts', id);
  if (!id) return void main.append(cli('hechain ecert issue …'));
  const [c, audit] = await Promise.all([get(`/api/v1/ecerts/${id}`), find(`/api/v1/ecerts/${id}/audit`).catch((e) => ({ error: e.message }))]);
  main.append(section(`${t('ecert')} ${id}`, kv(c)));
  main.append(section(t('audit'), audit && !audit.error ? kv(audit) : errorBox(new Error(audit ? audit.error : t('not_found')))));
}

export async function invoices(main, id) {
  idForm(main, t('invoices'), '#/invoices', id);
  if (!id) return void main.append(cli('hechain invoice issue …'));
  main.append(section(`${t('invoice')} ${id}`, kv(await get(`/api/v1/invoices/${id}`))));
}
