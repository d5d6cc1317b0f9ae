// Evidence (存证): drop a file to learn whether and when it was recorded (hashed in the browser
// with the chain's suite hash, never uploaded) and download its certificate; and offline
// verification of any certificate file against the genesis, in the browser.

import { get, find, blob } from '../api.js';
import { t } from '../i18n.js';
import { h, section, kv, cli, dropZone, errorBox, saveBlob, when } from '../ui.js';
import { hashFile, verifyCertificate } from '../verify.js';
import { EVIDENCE, hasWallet, send } from '../wallet.js';

async function showRecord(out, rec) {
  const cert = h('button', {
    type: 'button', id: 'download-cert',
    onclick: async () => saveBlob(await blob(`/api/v1/evidence/${rec.id}/certificate`), `evidence-${rec.id}.cert.json`),
  }, t('download_cert'));
  out.replaceChildren(h('div', { class: 'verdict healthy', id: 'evidence-result', 'data-found': 'true' },
    h('strong', {}, `✓ ${t('on_chain')}`), ` — ${t('recorded_at')} ${when(rec.timestamp_ms)}, ${t('block')} #${rec.height}`),
  kv(rec), cert);
}

export async function render(main, query) {
  const params = new URLSearchParams(query || '');
  const status = await get('/api/v1/status');
  const out = h('div', { id: 'evidence-out' });
  const zone = dropZone(t('drop_file'), async (file) => {
    out.replaceChildren(h('p', {}, t('hashing')));
    try {
      const hash = await hashFile(file, status.suite, (f) => { out.firstChild.textContent = `${t('hashing')} ${Math.round(f * 100)}%`; });
      const rec = await find(`/api/v1/evidence/by-hash/${hash}`);
      if (rec) {
        await showRecord(out, rec);
      } else {
        out.replaceChildren(h('div', { class: 'verdict degraded', id: 'evidence-result', 'data-found': 'false' },
          h('strong', {}, `✗ ${t('not_on_chain')}`)), kv({ file: file.name, size: file.size, content_hash: hash }),
        registerWithWallet(status, hash, file.name, out), cli(`hechain evidence put ${file.name}`));
      }
      out.prepend(h('p', { class: 'mono', id: 'file-hash' }, `${t('content_hash')} (${status.suite === 'gm' ? 'SM3' : 'SHA-256'}): ${hash}`));
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  }, 'evidence-drop');
  main.append(h('h1', {}, t('evidence')), section(t('evidence'), zone, out), wallet());
  const id = params.get('id');
  const hash = params.get('hash');
  if (id || hash) {
    const rec = id ? await find(`/api/v1/evidence/${id}`) : await find(`/api/v1/evidence/by-hash/${hash}`);
    if (rec) await showRecord(out, rec);
    else out.replaceChildren(errorBox(new Error(t('not_found'))));
  }
}

/**
 * With a browser wallet (EIP-1193): a title field and a button that stores the hash through the
 * evidence precompile, signed and sent by the wallet; then shows the record. Without one: nothing
 * (the CLI command is shown beside it).
 */
function registerWithWallet(status, hash, name, out) {
  if (!hasWallet()) return '';
  const title = h('input', { id: 'evidence-title', value: name });
  const note = h('span', { id: 'wallet-status', class: 'muted' });
  const go = async () => {
    try {
      note.textContent = t('wallet_signing');
      await send(status.chain_id, EVIDENCE, 'store', [hash, title.value, '', '', ''], (tx) => { note.textContent = `${t('wallet_sent')} ${tx}`; });
      await showRecord(out, await get(`/api/v1/evidence/by-hash/${hash}`));
    } catch (e) {
      note.replaceChildren(errorBox(e));
    }
  };
  return h('p', { class: 'wallet' }, `${t('title')}: `, title, ' ',
    h('button', { type: 'button', id: 'wallet-register', onclick: go }, t('wallet_register')), ' ', note);
}

/** Whether a browser wallet is present, and the CLI command that does the same. */
function wallet() {
  return section(t('wallet'), h('p', {}, hasWallet() ? t('wallet_present') : t('no_wallet')), cli('hechain evidence put FILE --key KEY'));
}

export async function verifyPage(main) {
  let genesis = null;
  let genesisLabel = t('genesis_node');
  const out = h('div', { id: 'verify-out' });
  const gLabel = h('span', { id: 'genesis-label' }, genesisLabel);
  const nodeGenesis = async () => new TextEncoder().encode(JSON.stringify(await get('/api/v1/genesis')));
  const certZone = dropZone(t('drop_cert'), async (file) => {
    try {
      const g = genesis || (await nodeGenesis());
      const v = await verifyCertificate(new Uint8Array(await file.arrayBuffer()), g);
      if (v.valid) {
        const { valid, record, ...details } = v;
        out.replaceChildren(h('div', { class: 'verdict healthy', id: 'verify-result', 'data-valid': 'true' },
          h('strong', {}, `✓ ${t('cert_valid')}`), ` — ${v.kind}, ${t('block')} #${v.height}, ${when(v.timestamp_ms)}`),
        kv(details), typeof record === 'object' ? section(t('records'), kv(record)) : h('p', {}, record));
      } else {
        out.replaceChildren(h('div', { class: 'verdict halted', id: 'verify-result', 'data-valid': 'false' },
          h('strong', {}, `✗ ${t('cert_invalid')}`), h('p', { id: 'verify-reason' }, `${t('reason')}: ${v.reason}`)));
      }
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  }, 'cert-drop');
  const genesisInput = h('input', { type: 'file', id: 'genesis-input', accept: '.json,application/json' });
  genesisInput.addEventListener('change', async () => {
    const f = genesisInput.files[0];
    if (!f) return;
    genesis = new Uint8Array(await f.arrayBuffer());
    genesisLabel = f.name;
    gLabel.textContent = genesisLabel;
  });
  main.append(h('h1', {}, t('verify')),
    section(t('verify'), h('p', {}, `${t('genesis_used')}: `, gLabel, ' · ', h('label', {}, t('genesis_choose'), ' ', genesisInput)), certZone, out),
    cli('hechain evidence verify-cert FILE --genesis genesis.json'));
}
