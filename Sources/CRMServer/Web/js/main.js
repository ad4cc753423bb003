// Starts the inbox: sign-in when there is no key, otherwise the page of the URL.
import { session, sessionEvents } from './api.js';
import { locale, t } from './i18n.js';
import { live, startLive, stopLive } from './live.js';
import { loadInstances, watchInstances } from './instances.js';
import { match, navigate, startRouter } from './router.js';
import { showSignIn } from './pages/signin.js';
import { mountInbox } from './pages/inbox.js';
import { mountInstances } from './pages/instances.js';
import { mountScripts } from './pages/scripts.js';

const pages = {
  inbox: { mount: mountInbox, title: 'inbox' },
  instances: { mount: mountInstances, title: 'instances' },
  scripts: { mount: mountScripts, title: 'scripts' },
};

const main = document.getElementById('main');
const header = document.getElementById('top');
let current = null;

function render() {
  if (!session.key()) return signIn();
  const found = match(location.pathname);
  if (!found) return navigate('/inbox', { replace: true });
  header.hidden = false;
  for (const link of document.querySelectorAll('#nav a[data-page]')) {
    if (link.dataset.page === found.page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${t(pages[found.page].title)} · crm-host`;
  if (current?.page === found.page && current.view.update) return current.view.update(found.params);
  leavePage();
  current = { page: found.page, view: pages[found.page].mount(main, found.params) };
  main.focus({ preventScroll: true });
}

function leavePage() {
  current?.view.unmount?.();
  current = null;
  main.replaceChildren();
}

function signIn(notice) {
  stopLive();
  leavePage();
  header.hidden = true;
  document.title = `${t('signInTitle')} · crm-host`;
  showSignIn(main, notice, async () => {
    await enter();
    if (!match(location.pathname)) navigate('/inbox', { replace: true });
    else render();
  });
}

async function enter() {
  startLive();
  await loadInstances().catch(() => {});
}

function translateShell() {
  document.documentElement.lang = locale;
  document.getElementById('skip-link').textContent = t('skip');
  document.getElementById('nav').setAttribute('aria-label', t('mainMenu'));
  document.getElementById('nav-inbox').textContent = t('inbox');
  document.getElementById('nav-instances').textContent = t('instances');
  document.getElementById('nav-scripts').textContent = t('scripts');
  document.getElementById('sign-out').textContent = t('signOut');
}

function startShell() {
  translateShell();
  const badge = document.getElementById('connected-badge');
  watchInstances((instances) => {
    badge.textContent = t('connectedCount', instances.filter((i) => i.status === 'CONNECTED').length);
  });
  const liveState = document.getElementById('live-state');
  live.addEventListener('state', (event) => {
    const names = { live: 'liveOn', reconnecting: 'liveReconnecting', offline: 'liveOff' };
    liveState.textContent = t(names[event.detail]);
    liveState.dataset.state = event.detail;
  });
  document.getElementById('sign-out').addEventListener('click', async () => {
    await session.close();
    signIn();
  });
  sessionEvents.addEventListener('signed-out', () => signIn(t('sessionEnded')));
  startRouter(render);
}

async function boot() {
  startShell();
  const key = session.key();
  if (!key) return signIn();
  // The cookie may be gone (a restarted browser keeps sessionStorage per tab).
  const accepted = await session.open(key).catch(() => true);
  if (!accepted) {
    session.forget();
    return signIn(t('sessionEnded'));
  }
  await enter();
  render();
}

boot();
