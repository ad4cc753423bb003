// The unified inbox: every conversation of every instance, newest first, with
// filters, keyset pages ("load more", never the whole list at once), live
// updates, and the open conversation beside the list.
import { api, APIError, withQuery } from '../api.js';
import { ConversationView } from '../conversation.js';
import { debounce, h } from '../dom.js';
import { conversationTitle, formatFullTime, formatTime, instanceLabel } from '../format.js';
import { t } from '../i18n.js';
import { watchInstances } from '../instances.js';
import { on } from '../live.js';

const pageSize = 50;

export function mountInbox(container, params) {
  const filters = { instance_id: '', tag: '', assignee: '', q: '' };
  let rows = [];
  let nextCursor = null;
  let pagesLoaded = 0;
  let generation = 0;
  let view = null;

  const instanceSelect = h('select', { id: 'filter-instance', name: 'instance_id', 'data-testid': 'filter-instance' });
  const field = (name, label, extra = {}) => h('div', { class: 'field' },
    h('label', { for: `filter-${name}` }, label),
    h('input', {
      id: `filter-${name}`, name, type: name === 'q' ? 'search' : 'text', autocomplete: 'off',
      'data-testid': `filter-${name}`, ...extra,
    }));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': t('filters'), onsubmit: (e) => e.preventDefault() },
    h('div', { class: 'field' }, h('label', { for: 'filter-instance' }, t('instance')), instanceSelect),
    field('q', t('search'), { placeholder: t('searchPlaceholder') }),
    field('tag', t('tag'), { list: 'known-tags' }),
    field('assignee', t('assignee'), { list: 'known-assignees' }),
    h('datalist', { id: 'known-tags' }),
    h('datalist', { id: 'known-assignees' }));
  const summary = h('p', { class: 'muted summary', id: 'list-summary', role: 'status', 'data-testid': 'list-summary' });
  const list = h('ul', { class: 'conversation-list', id: 'conversation-list', 'data-testid': 'conversation-list', 'aria-label': t('inbox') });
  const more = h('button', {
    type: 'button', class: 'secondary load-more', id: 'load-more', 'data-testid': 'load-more', hidden: true, onclick: loadMore,
  }, t('loadMore'));
  const error = h('p', { class: 'error', role: 'alert', id: 'inbox-error' });
  const announcer = h('p', { class: 'visually-hidden', role: 'status', id: 'inbox-announcer' });
  const placeholder = h('p', { class: 'muted placeholder', id: 'no-conversation' }, t('pickConversation'));
  const pane = h('div', { class: 'conversation-pane', id: 'conversation-pane' }, placeholder);
  const page = h('section', { class: 'inbox', 'aria-labelledby': 'inbox-title' },
    h('div', { class: 'list-pane' },
      h('h1', { id: 'inbox-title' }, t('inbox')), form, error, summary, list, more, announcer),
    pane);
  container.replaceChildren(page);

  const stopWatching = watchInstances(fillInstanceFilter);
  instanceSelect.addEventListener('change', () => { filters.instance_id = instanceSelect.value; reload(); });
  const typed = debounce(reload, 300);
  for (const name of ['q', 'tag', 'assignee']) {
    form.elements[name].addEventListener('input', (event) => { filters[name] = event.target.value.trim(); typed(); });
  }
  const refreshHead = debounce(mergeHead, 250);
  const stops = [
    stopWatching,
    on('message', (message) => {
      view?.receive(message);
      refreshHead(message?.direction === 'in' ? message.conversation_id : null);
    }),
    on('conversation', () => refreshHead(null)),
    on('status', (update) => view?.statusChanged(update)),
    on('resync', () => { refreshHead(null); if (view) view.load(); }),
  ];
  reload();
  update(params);

  function fillInstanceFilter(instances) {
    const chosen = instanceSelect.value || filters.instance_id;
    instanceSelect.replaceChildren(
      h('option', { value: '' }, t('allInstances')),
      ...instances.map((instance) => h('option', { value: instance.id },
        instance.phone_number ? `${instance.name} — ${instanceLabel(instance)}` : instance.name)));
    instanceSelect.value = instances.some((instance) => instance.id === chosen) ? chosen : '';
  }

  function query(cursor) {
    return withQuery('/api/conversations', { ...filters, cursor, limit: pageSize });
  }

  async function reload() {
    const mine = ++generation;
    summary.textContent = t('loading');
    try {
      const first = await api('GET', query());
      if (mine !== generation) return;
      rows = first.items;
      nextCursor = first.next_cursor ?? null;
      pagesLoaded = 1;
      error.textContent = '';
      render();
    } catch (failure) {
      if (mine === generation) show(failure);
    }
  }

  async function loadMore() {
    if (!nextCursor) return;
    const mine = generation;
    more.disabled = true;
    try {
      const next = await api('GET', query(nextCursor));
      if (mine !== generation) return;
      const known = new Set(rows.map((row) => row.id));
      rows = rows.concat(next.items.filter((row) => !known.has(row.id)));
      nextCursor = next.next_cursor ?? null;
      pagesLoaded += 1;
      render();
      list.querySelector(`li:nth-child(${rows.length - next.items.length + 1}) a`)?.focus();
    } catch (failure) {
      show(failure);
    } finally {
      more.disabled = false;
    }
  }

  /**
   * Something new happened: fetch the first page again and put it on top of
   * what is shown, keeping the pages already loaded below it.
   */
  async function mergeHead(newMessageIn) {
    const mine = generation;
    try {
      const first = await api('GET', query());
      if (mine !== generation) return;
      const fresh = new Set(first.items.map((row) => row.id));
      const last = first.items.at(-1);
      if (!first.next_cursor) {
        rows = first.items;
        nextCursor = null;
      } else {
        rows = first.items.concat(rows.filter((row) => !fresh.has(row.id) && last && older(row, last)));
        if (pagesLoaded <= 1) nextCursor = first.next_cursor;
      }
      render();
      const row = newMessageIn && rows.find((candidate) => candidate.id === newMessageIn);
      if (row) announcer.textContent = t('newMessageFrom', conversationTitle(row));
    } catch (failure) {
      show(failure);
    }
  }

  function render() {
    const focusedId = document.activeElement?.closest?.('#conversation-list li')?.dataset.conversationId;
    // The open conversation is being read: the server resets its count as it serves the messages.
    const open = rows.find((row) => row.id === view?.id);
    if (open) open.unread_count = 0;
    list.replaceChildren(...rows.map((row) => rowElement(row, row.id === view?.id)));
    if (focusedId) list.querySelector(`li[data-conversation-id="${focusedId}"] a`)?.focus({ preventScroll: true });
    more.hidden = !nextCursor;
    summary.textContent = rows.length ? t('shownCount', rows.length, Boolean(nextCursor)) : t('noConversations');
    fillSuggestions('known-tags', rows.flatMap((row) => row.tags ?? []));
    fillSuggestions('known-assignees', rows.map((row) => row.assignee).filter(Boolean));
    const row = view && rows.find((candidate) => candidate.id === view.id);
    if (row) view.setRow(row);
  }

  function fillSuggestions(id, values) {
    document.getElementById(id)?.replaceChildren(...[...new Set(values)].sort().map((value) => h('option', { value })));
  }

  /** Opens the conversation of `/conversations/:id`, or closes it for `/inbox`. */
  function update({ conversationId }) {
    if (view?.id === conversationId) return;
    const row = rows.find((candidate) => candidate.id === conversationId);
    view = conversationId ? new ConversationView(conversationId, row) : null;
    pane.replaceChildren(view ? view.element : placeholder);
    page.classList.toggle('reading', Boolean(view));
    if (pagesLoaded) render();
    view?.focus();
  }

  function show(failure) {
    summary.textContent = '';
    error.textContent = failure instanceof APIError ? failure.message : t('networkError');
  }

  return {
    update,
    unmount() {
      typed.cancel();
      refreshHead.cancel();
      for (const stop of stops) stop();
    },
  };
}

/** Rows are ordered by `last_message_at`, then id, both descending. */
function older(row, than) {
  const a = Date.parse(row.last_message_at) || 0;
  const b = Date.parse(than.last_message_at) || 0;
  return a !== b ? a < b : row.id < than.id;
}

function rowElement(row, active) {
  const unread = row.unread_count ?? 0;
  return h('li', {
    class: `conversation-row${unread ? ' has-unread' : ''}`, 'data-testid': 'conversation-row',
    dataset: { conversationId: row.id, instanceId: row.instance?.id ?? '' },
  },
  h('a', { href: `/conversations/${row.id}`, 'aria-current': active ? 'page' : null },
    h('span', { class: 'row-top' },
      row.is_group ? h('span', { class: 'chip group', 'data-testid': 'group-badge' }, t('group')) : null,
      h('span', { class: 'name', 'data-testid': 'conversation-name' }, conversationTitle(row)),
      h('time', { datetime: row.last_message_at, title: formatFullTime(row.last_message_at) }, formatTime(row.last_message_at))),
    h('span', { class: 'row-bottom' },
      h('span', { class: 'via', 'data-testid': 'conversation-via' }, t('via', instanceLabel(row.instance))),
      ...(row.tags ?? []).map((tag) => h('span', { class: 'chip tag' }, `#${tag}`)),
      row.assignee ? h('span', { class: 'chip assignee' }, t('assignedTo', row.assignee)) : null,
      unread ? h('span', { class: 'unread', 'data-testid': 'unread-count', 'data-count': unread },
        h('span', { 'aria-hidden': 'true' }, String(unread)),
        h('span', { class: 'visually-hidden' }, t('unread', unread))) : null)));
}
