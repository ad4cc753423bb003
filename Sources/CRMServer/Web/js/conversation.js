// One conversation: its messages with their delivery state, live, and the
// send box. The server sends through the instance that owns the conversation.
import { api, APIError, withQuery } from './api.js';
import { h } from './dom.js';
import { conversationTitle, formatFullTime, formatPhone, formatTime, instanceLabel } from './format.js';
import { t } from './i18n.js';

const pageSize = 50;
const glyphs = { queued: '◷', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

export class ConversationView {
  constructor(id, row) {
    this.id = id;
    this.entries = new Map();
    this.olderCursor = null;
    this.title = h('h2', { id: 'conversation-title', 'data-testid': 'conversation-title', tabindex: '-1' });
    this.details = h('p', { class: 'muted details', 'data-testid': 'conversation-details' });
    this.older = h('button', {
      type: 'button', class: 'secondary', id: 'load-older', 'data-testid': 'load-older', hidden: true,
      onclick: () => this.loadOlder(),
    }, t('loadOlder'));
    this.empty = h('p', { class: 'muted', hidden: true }, t('noMessages'));
    this.list = h('ol', {
      class: 'messages', id: 'message-list', 'data-testid': 'message-list', 'aria-live': 'polite', 'aria-relevant': 'additions',
      'aria-labelledby': 'conversation-title',
    });
    this.scroller = h('div', { class: 'message-scroller', tabindex: '0', 'aria-labelledby': 'conversation-title' },
      this.older, this.empty, this.list);
    this.input = h('textarea', {
      id: 'message-input', name: 'text', rows: 2, required: true, maxlength: 4096, 'aria-describedby': 'send-hint',
      'data-testid': 'message-input', onkeydown: (event) => this.keydown(event),
    });
    this.sendButton = h('button', { type: 'submit', id: 'send-button', 'data-testid': 'send-button' }, t('send'));
    this.error = h('p', { class: 'error', role: 'alert', id: 'send-error', 'data-testid': 'send-error' });
    this.element = h('section', {
      class: 'conversation', id: 'conversation', 'aria-labelledby': 'conversation-title', 'data-testid': 'conversation',
      'data-conversation-id': id,
    },
    h('header', { class: 'conversation-head' },
      h('a', { href: '/inbox', class: 'back', 'data-testid': 'back-to-list' }, t('back')),
      this.title, this.details),
    this.scroller,
    h('form', { class: 'send-box', id: 'send-form', onsubmit: (event) => this.send(event) },
      h('label', { for: 'message-input', class: 'visually-hidden' }, t('message')),
      this.input,
      this.sendButton,
      h('p', { id: 'send-hint', class: 'muted hint' }, t('sendHint')),
      this.error));
    this.setRow(row);
    this.load();
  }

  /** The conversation's list row, when known, names it and its number. */
  setRow(row) {
    this.title.textContent = row ? conversationTitle(row) : t('conversation', this.id);
    if (!row) return;
    this.element.classList.toggle('is-group', Boolean(row.is_group));
    const parts = [t('via', instanceLabel(row.instance))];
    if (row.is_group) parts.unshift(t('group'));
    else if (row.contact_phone && row.contact_name) parts.unshift(formatPhone(row.contact_phone));
    if (row.assignee) parts.push(t('assignedTo', row.assignee));
    if (row.tags?.length) parts.push(row.tags.map((tag) => `#${tag}`).join(' '));
    this.details.textContent = parts.join(' · ');
  }

  async load() {
    try {
      const page = await api('GET', withQuery(`/api/conversations/${this.id}/messages`, { limit: pageSize }));
      this.take(page, { scroll: true });
    } catch (failure) {
      this.error.textContent = failure instanceof APIError ? failure.message : t('networkError');
    }
  }

  async loadOlder() {
    if (!this.olderCursor) return;
    this.older.disabled = true;
    try {
      const page = await api('GET', withQuery(`/api/conversations/${this.id}/messages`,
                                              { limit: pageSize, cursor: this.olderCursor }));
      const height = this.scroller.scrollHeight;
      this.take(page, { scroll: false });
      this.scroller.scrollTop += this.scroller.scrollHeight - height;
    } finally {
      this.older.disabled = false;
    }
  }

  /** Pages come newest first; `next_cursor` leads to older messages. */
  take(page, { scroll }) {
    for (const message of page.items) this.put(message);
    this.olderCursor = page.next_cursor ?? null;
    this.older.hidden = !this.olderCursor;
    this.empty.hidden = this.entries.size > 0;
    if (scroll) this.scrollToEnd();
  }

  /** A live `message` event: new, or a newer copy of one shown. */
  receive(message) {
    if (message?.conversation_id !== this.id) return;
    const nearEnd = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 80;
    this.put(message);
    this.empty.hidden = true;
    if (nearEnd || message.direction === 'out') this.scrollToEnd();
    if (message.direction === 'in') this.markRead();
  }

  /** Reading the newest page is what marks a conversation read on the server. */
  markRead() {
    api('GET', withQuery(`/api/conversations/${this.id}/messages`, { limit: 1 })).catch(() => {});
  }

  /** A live `status` event: the message we sent, with its new delivery state. */
  statusChanged(message) {
    if (message?.conversation_id !== this.id) return;
    if (this.entries.has(message.id)) this.put(message);
    else this.load();
  }

  put(message) {
    const known = this.entries.get(message.id);
    if (known) {
      // Only the delivery state changes: updating in place keeps screen readers from reading it all again.
      known.message = { ...known.message, ...message };
      known.element.dataset.status = known.message.status ?? '';
      known.element.querySelector('.meta').replaceWith(metaElement(known.message));
      return;
    }
    const element = messageElement(message);
    this.entries.set(message.id, { message, element });
    const after = [...this.entries.values()]
      .filter((entry) => entry.element.isConnected && later(entry.message, message))
      .sort((a, b) => (later(a.message, b.message) ? 1 : -1))[0];
    this.list.insertBefore(element, after?.element ?? null);
  }

  keydown(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.input.form.requestSubmit();
    }
  }

  async send(event) {
    event.preventDefault();
    const text = this.input.value;
    if (!text.trim()) return;
    this.sendButton.disabled = true;
    this.error.textContent = '';
    try {
      const message = await api('POST', `/api/conversations/${this.id}/messages`, { text });
      this.input.value = '';
      this.receive({ ...message, conversation_id: message.conversation_id ?? this.id });
    } catch (failure) {
      this.error.textContent = `${t('sendFailed')} ${failure instanceof APIError ? failure.message : t('networkError')}`;
    } finally {
      this.sendButton.disabled = false;
      this.input.focus();
    }
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  focus() {
    this.input.focus({ preventScroll: true });
  }
}

/** Whether `a` comes after `b` in reading order (time, then row id). */
function later(a, b) {
  const at = Date.parse(a.created_at) || 0;
  const bt = Date.parse(b.created_at) || 0;
  return at !== bt ? at > bt : a.id > b.id;
}

function messageElement(message) {
  const outgoing = message.direction === 'out';
  const media = message.media_url && /^https?:\/\//.test(message.media_url)
    ? h('a', { href: message.media_url, target: '_blank', rel: 'noopener noreferrer' }, message.media_type || message.media_url)
    : null;
  return h('li', {
    class: `message ${outgoing ? 'out' : 'in'}`, 'data-testid': 'message',
    dataset: { messageId: message.id, direction: message.direction, status: message.status ?? '' },
  },
  // Shown in groups only, where the member who wrote matters.
  !outgoing && message.sender ? h('span', { class: 'sender' }, formatPhone(message.sender)) : null,
  h('p', { class: 'text', 'data-testid': 'message-text' }, message.content ?? ''),
  media,
  metaElement(message));
}

/** The time and, for messages we sent, the delivery state (and why a send failed). */
function metaElement(message) {
  const status = message.direction === 'out' ? message.status ?? null : null;
  return h('div', { class: 'meta' },
    h('time', { datetime: message.created_at, title: formatFullTime(message.created_at) }, formatTime(message.created_at)),
    status ? h('span', { class: 'delivery', 'data-testid': 'message-status', 'data-status': status },
      h('span', { 'aria-hidden': 'true' }, glyphs[status] ?? ''), ' ', t('deliveryNames')[status] ?? status) : null,
    status === 'failed' && message.reason ? h('span', { class: 'reason' }, message.reason) : null);
}
