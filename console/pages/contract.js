// A contract's part of its account page: code size and code hash (Keccak-256 of the runtime
// code, as Ethereum tools show it), and its events (logs) of the last 10,000 blocks, decoded by
// name and arguments when the contract's ABI is known. The ABI comes from the user: drop the
// contract's ABI or build artifact (solc, Hardhat, Foundry JSON) and this browser keeps it for
// that address.

import { rpc } from '../api.js';
import { t } from '../i18n.js';
import { h, section, table, txLink, blockLink, dropZone, errorBox } from '../ui.js';

const LOG_BLOCKS = 10_000; // the node's widest eth_getLogs range by default (api.eth.max_log_blocks)
const SHOW = 50;

const abiKey = (address) => `hechain.abi.${address.toLowerCase()}`;

/** The ABI kept for `address`, or null. */
function savedAbi(address) {
  try {
    return JSON.parse(localStorage.getItem(abiKey(address)) || 'null');
  } catch (_) {
    return null;
  }
}

/** Section(s) for a contract at `address` with runtime code `code` (0x…). */
export async function contractSection(address, code) {
  const ethers = await import('../vendor/ethers.min.js');
  const head = Number(await rpc('eth_blockNumber'));
  const from = Math.max(0, head - LOG_BLOCKS + 1);
  // A node with lower limits (range or result count) refuses: say so instead of the events.
  let logs = [];
  let logError = null;
  try {
    logs = await rpc('eth_getLogs', [{ address, fromBlock: `0x${from.toString(16)}`, toBlock: 'latest' }]);
  } catch (e) {
    logError = e;
  }
  const abi = savedAbi(address);
  const iface = abi ? new ethers.Interface(abi) : null;
  const decode = (log) => {
    if (!iface) return [log.topics[0] || '', h('span', { class: 'mono small' }, `${log.topics.slice(1).join(' ')} ${log.data}`)];
    try {
      const p = iface.parseLog({ topics: log.topics, data: log.data });
      const args = p.fragment.inputs.map((inp, i) => `${inp.name || i}=${p.args[i]}`).join(', ');
      return [p.name, args];
    } catch (_) {
      return [log.topics[0] || '', log.data];
    }
  };
  const rows = logs.slice(-SHOW).reverse().map((l) => [blockLink(Number(l.blockNumber)), txLink(l.transactionHash), ...decode(l)]);
  const out = h('div', {});
  const abiZone = dropZone(t('drop_abi'), async (file) => {
    try {
      const json = JSON.parse(await file.text());
      const given = Array.isArray(json) ? json : json.abi;
      if (!Array.isArray(given)) throw new Error(t('not_abi'));
      new ethers.Interface(given); // refuses what is not an ABI
      localStorage.setItem(abiKey(address), JSON.stringify(given));
      location.reload();
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  }, 'abi-drop');
  return section(t('contract'),
    h('table', { class: 'kv', id: 'contract-info' },
      h('tr', {}, h('th', {}, t('code_size')), h('td', {}, (code.length - 2) / 2)),
      h('tr', {}, h('th', {}, t('code_hash')), h('td', { class: 'mono', id: 'code-hash' }, ethers.keccak256(code))),
      h('tr', {}, h('th', {}, 'ABI'), h('td', { id: 'abi-state' }, abi ? t('abi_known', { n: abi.length }) : t('none')))),
    h('h3', {}, `${t('events')} (${logs.length}, ${t('last_blocks', { n: LOG_BLOCKS })})`),
    logError ? errorBox(logError) : table([t('block'), t('transaction'), t('events'), ''], rows, { id: 'contract-events' }),
    abiZone, out);
}
