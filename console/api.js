// The node's REST API, on the page's own origin. A node with API tokens answers 401: the page
// then asks for a token once and sends it as `Authorization: Bearer` (kept for the tab only).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const listeners = new Set();
/** Calls `f()` whenever the API asks for a token. */
export function onTokenNeeded(f) { listeners.add(f); }

export function setToken(token) { sessionStorage.setItem('hechain.token', token); }

function headers() {
  const h = { Accept: 'application/json' };
  const token = sessionStorage.getItem('hechain.token');
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

async function request(path, init = {}) {
  const r = await fetch(path, { ...init, headers: { ...headers(), ...(init.headers || {}) } });
  if (r.status === 401) listeners.forEach((f) => f());
  return r;
}

/** GET a JSON document; throws ApiError with the node's error code and message. */
export async function get(path) {
  const r = await request(path);
  const body = await r.json().catch(() => null);
  if (!r.ok) {
    const e = body && body.error ? body.error : { code: String(r.status), message: r.statusText };
    throw new ApiError(r.status, e.code, e.message);
  }
  return body;
}

/** Like `get`, but `null` when the node answers 404. */
export async function find(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** GET a file (a certificate) as a Blob. */
export async function blob(path) {
  const r = await request(path);
  if (!r.ok) throw new ApiError(r.status, String(r.status), r.statusText);
  return r.blob();
}

/** One Ethereum JSON-RPC call (POST /). */
export async function rpc(method, params = []) {
  const r = await request('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await r.json();
  if (body.error) throw new ApiError(r.status, String(body.error.code), body.error.message);
  return body.result;
}

/**
 * Follows the node's block stream (server-sent events of GET /api/v1/events/blocks), calling
 * `onBlock({height, hash, tx_count, timestamp_ms, state_root})` for each committed block, and
 * reconnecting after a second if the stream ends. Read with fetch (not EventSource) so that a
 * token can be sent. Returns a function that stops it.
 */
export function followBlocks(onBlock) {
  const abort = new AbortController();
  let stopped = false;
  (async () => {
    while (!stopped) {
      try {
        const r = await request('/api/v1/events/blocks', { signal: abort.signal, headers: { Accept: 'text/event-stream' } });
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const event = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
            if (data) onBlock(JSON.parse(data));
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
  })();
  return () => { stopped = true; abort.abort(); };
}
