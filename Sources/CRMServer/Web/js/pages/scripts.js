// Per instance: which bot version runs, since when, and its last error with
// file and line; a button reloads every script folder.
import { api, APIError } from '../api.js';
import { h } from '../dom.js';
import { formatFullTime, formatPhone } from '../format.js';
import { t } from '../i18n.js';
import { on } from '../live.js';

export function mountScripts(container) {
  const body = h('tbody', { id: 'script-rows', 'data-testid': 'script-rows' });
  const empty = h('p', { class: 'muted', id: 'no-scripts', hidden: true }, t('noScripts'));
  const message = h('p', { class: 'muted', role: 'status', id: 'scripts-status', 'data-testid': 'scripts-status' });
  const error = h('p', { class: 'error', role: 'alert', id: 'scripts-error' });
  const reloadButton = h('button', { type: 'button', id: 'reload-scripts', 'data-testid': 'reload-scripts', onclick: reload },
    t('reload'));
  const table = h('table', { class: 'scripts', 'aria-labelledby': 'scripts-title' },
    h('thead', {}, h('tr', {},
      ...['instance', 'folder', 'version', 'loadedAt', 'lastError'].map((key) => h('th', { scope: 'col' }, t(key))))),
    body);
  container.replaceChildren(h('section', { class: 'page', 'aria-labelledby': 'scripts-title' },
    h('div', { class: 'page-head' }, h('h1', { id: 'scripts-title' }, t('scripts')), reloadButton),
    message, error, empty, h('div', { class: 'table-wrap' }, table)));

  const stops = [on('script', load), on('resync', load)];
  load();

  async function load() {
    try {
      render((await api('GET', '/api/scripts')).items);
    } catch (failure) {
      show(failure);
    }
  }

  async function reload() {
    reloadButton.disabled = true;
    message.textContent = '';
    try {
      render((await api('POST', '/api/scripts/reload')).items);
      message.textContent = t('reloaded');
    } catch (failure) {
      show(failure);
    } finally {
      reloadButton.disabled = false;
    }
  }

  function render(items) {
    error.textContent = '';
    empty.hidden = items.length > 0;
    body.replaceChildren(...items.map(scriptRow));
  }

  function show(failure) {
    error.textContent = failure instanceof APIError ? failure.message : t('networkError');
  }

  return { unmount() { for (const stop of stops) stop(); } };
}

function scriptRow(status) {
  const instance = status.instance ?? {};
  const failure = status.last_error;
  const place = failure?.file ? `${failure.file}${failure.line ? `:${failure.line}` : ''}` : null;
  return h('tr', { 'data-testid': 'script-row', dataset: { instanceId: instance.id ?? '' }, class: failure ? 'has-error' : null },
    h('th', { scope: 'row' }, instance.name ?? '',
      instance.phone_number ? h('span', { class: 'muted block' }, formatPhone(instance.phone_number)) : null),
    h('td', {}, status.folder ? h('code', {}, status.folder) : '—'),
    h('td', {}, status.version ? h('code', { title: status.version }, status.version.slice(0, 12)) : t('notLoaded')),
    h('td', {}, status.loaded_at ? h('time', { datetime: status.loaded_at }, formatFullTime(status.loaded_at)) : '—'),
    h('td', { 'data-testid': 'script-error' }, failure
      ? [h('span', { class: 'error-text' }, failure.message),
         place ? h('span', { class: 'muted block' }, h('code', {}, place)) : null,
         failure.at ? h('span', { class: 'muted block' }, formatFullTime(failure.at)) : null]
      : h('span', { class: 'muted' }, t('noError'))));
}
