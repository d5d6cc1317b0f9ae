// The console's shell: navigation, language switch, search box, token prompt and the hash
// router (#/block/12, #/trace/TEA-0001, …) that hands each page its element.
//
// No bundler and no build step: these are plain ES modules that the node serves as they are
// (docs/console.md says why). Pages live in pages/, one file per area.

import { t, lang, setLang } from './i18n.js';
import { onTokenNeeded, setToken } from './api.js';
import { h, errorBox } from './ui.js';
import * as overview from './pages/overview.js';
import * as chain from './pages/chain.js';
import * as network from './pages/network.js';
import * as evidence from './pages/evidence.js';
import * as trace from './pages/trace.js';
import * as services from './pages/services.js';
import * as xchain from './pages/xchain.js';
import * as governance from './pages/governance.js';

// [pattern, page]; a page is render(main, ...captures) → optional cleanup function.
const ROUTES = [
  [/^\/?$/, overview.render],
  [/^\/block\/(.+)$/, chain.block],
  [/^\/tx\/(.+)$/, chain.tx],
  [/^\/account\/(.+)$/, chain.account],
  [/^\/search\/(.+)$/, chain.search],
  [/^\/network$/, network.render],
  [/^\/evidence(?:\?(.*))?$/, evidence.render],
  [/^\/verify$/, evidence.verifyPage],
  [/^\/trace(?:\/(.+))?$/, trace.render],
  [/^\/vouchers(?:\/(.+))?$/, services.vouchers],
  [/^\/copyright(?:\/(.+))?$/, services.copyright],
  [/^\/ecerts(?:\/(.+))?$/, services.ecerts],
  [/^\/invoices(?:\/(.+))?$/, services.invoices],
  [/^\/gov(?:\/(.+))?$/, governance.render],
  [/^\/xchain(?:\/(.+))?$/, xchain.render],
];

const NAV = [
  ['#/', 'overview'], ['#/network', 'network'], ['#/evidence', 'evidence'], ['#/verify', 'verify'],
  ['#/trace', 'trace'], ['#/vouchers', 'vouchers'], ['#/copyright', 'copyright'], ['#/ecerts', 'ecerts'],
  ['#/invoices', 'invoices'], ['#/gov', 'governance'], ['#/xchain', 'xchain'],
];

let cleanup = null;

function chrome() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  const nav = document.getElementById('nav');
  nav.replaceChildren(...NAV.map(([href, key]) => h('a', { href, 'data-nav': key }, t(key))));
  document.getElementById('q').placeholder = t('search_hint');
  document.getElementById('search-go').textContent = t('search');
  document.getElementById('lang').textContent = lang === 'zh' ? 'English' : '中文';
  document.getElementById('footer').replaceChildren(
    h('a', { href: '/api/v1/openapi.json' }, 'OpenAPI'), ' · ', h('a', { href: '/metrics' }, 'Prometheus /metrics'),
    ' · ', h('a', { href: '/readyz' }, '/readyz'));
}

async function route() {
  if (cleanup) { try { cleanup(); } catch (_) { /* a page's cleanup must not stop the next */ } }
  cleanup = null;
  const path = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
  const main = document.getElementById('main');
  main.replaceChildren();
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.getAttribute('href') !== '#/' ? path.startsWith(a.getAttribute('href').slice(1)) : path === '/');
  }
  for (const [re, page] of ROUTES) {
    const m = path.match(re);
    if (!m) continue;
    try {
      cleanup = (await page(main, ...m.slice(1))) || null;
    } catch (e) {
      console.warn(e);
      main.append(errorBox(e));
    }
    return;
  }
  main.append(errorBox(new Error(`${t('not_found')}: ${path}`)));
}

function tokenPrompt() {
  const banner = document.getElementById('banner');
  if (!banner.hidden) return;
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off' });
  banner.replaceChildren(h('form', {
    onsubmit: (e) => { e.preventDefault(); setToken(input.value.trim()); banner.hidden = true; route(); },
  }, t('token_needed'), ' ', input, ' ', h('button', { type: 'submit' }, t('save'))));
  banner.hidden = false;
}

document.getElementById('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
});
document.getElementById('lang').addEventListener('click', () => {
  setLang(lang === 'zh' ? 'en' : 'zh');
  chrome();
  route();
});
onTokenNeeded(tokenPrompt);
window.addEventListener('hashchange', route);
chrome();
route();
