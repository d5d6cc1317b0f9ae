// Browser wallets (EIP-1193, `window.ethereum`: MetaMask and the like). The console changes
// nothing by itself; where the user has a wallet, it can sign the two things a browser user
// does on chain — evidence registration and governance votes — as Ethereum transactions to the
// modules' precompiles. ethers (vendored) is loaded only when a wallet is used.

import { t } from './i18n.js';

/** The module precompiles the console calls, and the functions it uses. */
export const EVIDENCE = { address: '0x0000000000000000000000000000000000001000', abi: ['function store(bytes32 contentHash, string title, string kind, string owner, string externalRef) returns (uint64 id)'] };
export const GOVERNANCE = { address: '0x0000000000000000000000000000000000001007', abi: ['function vote(uint64 proposal, bool approve) returns (bool)'] };

export const hasWallet = () => typeof window.ethereum !== 'undefined';

/**
 * Calls `fn(...args)` of `precompile` signed by the wallet's account, after checking that the
 * wallet is on this node's chain; resolves when the transaction is in a block, and rejects
 * with the reason when it failed. `onSent(hash)` is told the hash as soon as it is known.
 */
export async function send(chainId, precompile, fn, args, onSent = () => {}) {
  const { BrowserProvider, Contract } = await import('./vendor/ethers.min.js');
  const provider = new BrowserProvider(window.ethereum, undefined, { pollingInterval: 250, cacheTimeout: -1 });
  const network = await provider.getNetwork();
  if (Number(network.chainId) !== chainId) throw new Error(t('wallet_chain', { wallet: network.chainId, node: chainId }));
  const signer = await provider.getSigner();
  const tx = await new Contract(precompile.address, precompile.abi, signer)[fn](...args);
  onSent(tx.hash);
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`${t('wallet_failed')} ${tx.hash}`);
  return receipt;
}
