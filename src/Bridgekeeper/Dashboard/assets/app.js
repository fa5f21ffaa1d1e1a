// The dashboard: signs in with a Bridgekeeper key (kept by the gateway in an HttpOnly cookie), then renders the page the
// path names from the REST API. Links between pages are followed without reloading.
import { api, ApiError, setCsrfToken } from './lib/api.js';
import { h } from './lib/dom.js';
import * as overview from './pages/overview.js';
import * as spend from './pages/spend.js';
import * as sessions from './pages/sessions.js';
import * as session from './pages/session.js';
import * as interceptions from './pages/interceptions.js';
import * as mcp from './pages/mcp.js';
import * as users from './pages/users.js';

const routes = [
  [/^\/ui\/?$/, 'overview', overview.render],
  [/^\/ui\/spend\/?$/, 'spend', spend.render],
  [/^\/ui\/sessions\/?$/, 'sessions', sessions.render],
  [/^\/ui\/sessions\/([^/]+)$/, 'sessions', session.render],
  [/^\/ui\/interceptions\/?$/, 'interceptions', interceptions.render],
  [/^\/ui\/interceptions\/([^/]+)$/, 'interceptions', interceptions.renderOne],
  [/^\/ui\/mcp\/?$/, 'mcp', mcp.render],
  [/^\/ui\/users\/?$/, 'users', users.render],
];

const main = document.getElementById('page');
let me = null;
let rendering = 0;

function navigate(path) {
  history.pushState(null, '', path);
  show();
}

function showSignedIn() {
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  document.getElementById('who-name').textContent = me.user.name;
  document.getElementById('who-role').textContent = me.role;
  document.querySelector('[data-admin]').hidden = me.role !== 'admin';
}

function showSignIn(message) {
  me = null;
  setCsrfToken(null);
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  main.replaceChildren(document.getElementById('sign-in-template').content.cloneNode(true));
  main.dataset.page = 'sign-in';
  main.dataset.ready = 'true';
  const form = document.getElementById('sign-in');
  const error = document.getElementById('sign-in-error');
  if (message) {
    error.textContent = message;
    error.hidden = false;
  }
  document.getElementById('key').focus();
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.hidden = true;
    try {
      me = await api('/api/v1/session', { method: 'POST', body: { key: form.elements.key.value } });
      setCsrfToken(me.csrf_token);
      showSignedIn();
      await show();
    } catch (failure) {
      error.textContent = failure.status === 401 ? 'That key is not valid (unknown, revoked or expired).' : failure.message;
      error.hidden = false;
    }
  });
}

async function show() {
  const ticket = ++rendering;
  if (!me) {
    try {
      me = await api('/api/v1/session');
      setCsrfToken(me.csrf_token);
      showSignedIn();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) return showSignIn();
      throw failure;
    }
  }
  const route = routes.find(([pattern]) => pattern.test(location.pathname));
  const [pattern, section, render] = route ?? [null, 'none', null];
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('current', a.dataset.nav === section);
  main.replaceChildren();
  main.dataset.page = section;
  main.dataset.ready = 'false';
  document.title = `Bridgekeeper · ${section}`;
  try {
    if (!render) {
      main.append(h('h1', {}, 'No such page'), h('p', {}, 'The dashboard has no page at this address.'));
    } else if (section === 'users' && me.role !== 'admin') {
      main.append(h('h1', {}, 'Users and keys'), h('p', { class: 'error', 'data-testid': 'denied' }, 'This page is for admins only.'));
    } else {
      // A page renders into its own container: a render overtaken by a later navigation fills a detached one.
      const page = h('div', { class: 'page' });
      main.append(page);
      await render(page, { params: location.pathname.match(pattern).slice(1), navigate, me });
    }
  } catch (failure) {
    if (ticket !== rendering) return;
    if (failure instanceof ApiError && failure.status === 401) return showSignIn('Your session ended (the key was revoked or expired); sign in again.');
    main.replaceChildren(h('h1', {}, 'Something went wrong'),
      h('p', { class: 'error', 'data-testid': 'page-error' }, failure instanceof ApiError ? failure.message : String(failure)));
  }
  if (ticket === rendering) main.dataset.ready = 'true';
}

document.addEventListener('click', event => {
  const anchor = event.target.closest('a');
  if (!anchor || anchor.hasAttribute('download') || anchor.target || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/ui') || url.pathname.startsWith('/ui/assets/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await api('/api/v1/session', { method: 'DELETE' });
  } finally {
    showSignIn();
  }
});

window.addEventListener('popstate', () => show());
show();
