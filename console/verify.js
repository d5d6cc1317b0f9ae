// hechain's own verifier and suite hash in the browser: crates/hechain-verify-wasm compiled to
// WebAssembly (console/verify.wasm, built by console/build-wasm.sh). Nothing here sends data
// anywhere: files are hashed and certificates checked inside the page.

let instance;

async function wasm() {
  if (!instance) {
    const r = await fetch('/console/verify.wasm');
    ({ instance } = await WebAssembly.instantiateStreaming(r, {}));
  }
  return instance.exports;
}

function put(x, bytes) {
  const p = x.hc_alloc(bytes.length);
  new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
  return p;
}

const hex = (bytes) => '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The chain's hash of a File (suite 'standard': SHA-256, 'gm': SM3), read in 4 MiB chunks. */
export async function hashFile(file, suite, onProgress = () => {}) {
  const x = await wasm();
  const handle = x.hc_hasher_new(suite === 'gm' ? 1 : 0);
  if (!handle) throw new Error(`unknown suite ${suite}`);
  const CHUNK = 4 << 20;
  for (let off = 0; off < file.size; off += CHUNK) {
    const bytes = new Uint8Array(await file.slice(off, off + CHUNK).arrayBuffer());
    const p = put(x, bytes);
    x.hc_hasher_update(handle, p, bytes.length);
    x.hc_free(p, bytes.length);
    onProgress(Math.min(1, (off + CHUNK) / file.size));
  }
  const out = x.hc_alloc(32);
  x.hc_hasher_finish(handle, out);
  const digest = hex(new Uint8Array(x.memory.buffer, out, 32));
  x.hc_free(out, 32);
  return digest;
}

/**
 * Verifies a certificate (bytes of its JSON file) against a genesis (bytes of genesis.json):
 * {valid: true, kind, height, block_hash, timestamp_ms, epoch, signed_by, …} or
 * {valid: false, reason}.
 */
export async function verifyCertificate(certBytes, genesisBytes) {
  const x = await wasm();
  const c = put(x, certBytes);
  const g = put(x, genesisBytes);
  const out = x.hc_verify(c, certBytes.length, g, genesisBytes.length);
  x.hc_free(c, certBytes.length);
  x.hc_free(g, genesisBytes.length);
  const len = new DataView(x.memory.buffer).getUint32(out, true);
  const text = new TextDecoder().decode(new Uint8Array(x.memory.buffer, out + 4, len));
  x.hc_free(out, 4 + len);
  return JSON.parse(text);
}
