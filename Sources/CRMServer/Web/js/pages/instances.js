// The instances page: create, pair with the QR shown large until scanned,
// reconnect, log out, delete. Cards are updated in place so a QR being scanned
// is not redrawn under the user's phone.
import { api, APIError } from '../api.js';
import { confirmAction } from '../confirm.js';
import { h } from '../dom.js';
import { formatPhone } from '../format.js';
import { t } from '../i18n.js';
import { dropInstance, loadInstances, putInstance, watchInstances } from '../instances.js';
import { QRView } from '../qr.js';

/** Statuses in which the pairing QR may change: watched closely until they settle. */
const pairing = new Set(['CONNECTING', 'QR']);

export function mountInstances(container) {
  const cards = new Map();
  const error = h('p', { class: 'error', role: 'alert', id: 'instances-error' });
  const nameInput = h('input', {
    id: 'instance-name', name: 'name', required: true, maxlength: 100, autocomplete: 'off', 'data-testid': 'instance-name',
  });
  const createButton = h('button', { type: 'submit', id: 'create-instance', 'data-testid': 'create-instance' }, t('create'));
  const list = h('ul', { class: 'instance-list', id: 'instance-list', 'data-testid': 'instance-list' });
  const empty = h('p', { class: 'muted', id: 'no-instances' }, t('noInstances'));

  container.replaceChildren(h('section', { class: 'page instances-page', 'aria-labelledby': 'instances-title' },
    h('h1', { id: 'instances-title' }, t('instances')),
    h('form', { class: 'create-instance card', onsubmit: create, 'aria-labelledby': 'new-instance-title' },
      h('h2', { id: 'new-instance-title' }, t('newInstance')),
      h('div', { class: 'row' },
        h('label', { for: 'instance-name' }, t('name')), nameInput, createButton)),
    error, empty, list));

  const stopWatching = watchInstances(render);
  // Events move a pairing along; polling covers a stream that is down or a QR that expired.
  const poll = setInterval(() => {
    if ([...cards.values()].some((card) => pairing.has(card.instance.status))) loadInstances().catch(() => {});
  }, 2000);
  loadInstances().catch(show);

  function render(instances) {
    empty.hidden = instances.length > 0;
    const seen = new Set();
    instances.forEach((instance, index) => {
      seen.add(instance.id);
      let card = cards.get(instance.id);
      if (!card) {
        card = new InstanceCard(instance, { act, remove });
        cards.set(instance.id, card);
      }
      card.update(instance);
      // Moving a node would take the keyboard focus away from its buttons.
      if (list.children[index] !== card.element) list.insertBefore(card.element, list.children[index] ?? null);
    });
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.destroy();
        cards.delete(id);
      }
    }
  }

  async function create(event) {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return;
    createButton.disabled = true;
    try {
      putInstance(await api('POST', '/api/instances', { name }));
      nameInput.value = '';
      error.textContent = '';
    } catch (failure) {
      show(failure);
    } finally {
      createButton.disabled = false;
    }
  }

  async function act(instance, action) {
    if (action === 'logout' && !await confirmAction({
      title: t('confirmLogoutTitle'), message: t('confirmLogout', instance.name), confirmLabel: t('logOut'),
    })) return;
    try {
      putInstance(await api('POST', `/api/instances/${instance.id}/${action}`));
      error.textContent = '';
    } catch (failure) {
      show(failure);
    }
  }

  async function remove(instance) {
    const confirmed = await confirmAction({
      title: t('confirmDeleteTitle'), message: t('confirmDelete', instance.name), confirmLabel: t('delete'),
    });
    if (!confirmed) return;
    try {
      await api('DELETE', `/api/instances/${instance.id}`);
      dropInstance(instance.id);
      error.textContent = '';
      nameInput.focus();
    } catch (failure) {
      show(failure);
    }
  }

  function show(failure) {
    error.textContent = failure instanceof APIError ? failure.message : t('networkError');
  }

  return {
    unmount() {
      clearInterval(poll);
      stopWatching();
      for (const card of cards.values()) card.destroy();
    },
  };
}

/** One instance: its name, number, status, actions, and its QR while pairing. */
class InstanceCard {
  constructor(instance, handlers) {
    this.instance = instance;
    this.handlers = handlers;
    this.title = h('h2', { class: 'instance-name', 'data-testid': 'instance-title' });
    this.status = h('span', { class: 'status', 'data-testid': 'instance-status' });
    this.number = h('dd', { 'data-testid': 'instance-number' });
    this.connector = h('dd', {});
    this.actions = h('div', { class: 'actions' });
    this.qr = new QRView();
    this.element = h('li', { class: 'card instance', 'data-testid': 'instance-row' },
      h('div', { class: 'instance-head' }, this.title, this.status),
      h('dl', { class: 'facts' },
        h('dt', {}, t('number')), this.number,
        h('dt', {}, t('connector')), this.connector),
      this.qr.element,
      this.actions);
  }

  update(instance) {
    const before = this.instance;
    this.instance = instance;
    this.element.dataset.instanceId = instance.id;
    this.element.dataset.status = instance.status;
    this.title.textContent = instance.name;
    this.status.textContent = t('statusNames')[instance.status] ?? instance.status;
    this.status.dataset.status = instance.status;
    this.number.textContent = instance.phone_number ? formatPhone(instance.phone_number) : t('notPaired');
    this.connector.textContent = instance.connector ?? 'sim';
    this.qr.show(instance);
    if (!this.actions.hasChildNodes() || before.status !== instance.status) this.renderActions();
  }

  renderActions() {
    const { status } = this.instance;
    const focused = this.actions.contains(document.activeElement) ? document.activeElement.dataset.testid : null;
    const button = (label, testid, onclick, kind) => h('button', {
      type: 'button', class: kind, 'data-testid': testid, onclick,
      'aria-label': `${label}: ${this.instance.name}`,
    }, label);
    const buttons = [];
    if (['DISCONNECTED', 'LOGGED_OUT', 'FAILED'].includes(status)) {
      buttons.push(button(t('connect'), 'connect', () => this.handlers.act(this.instance, 'connect')));
    }
    if (['CONNECTED', 'FAILED', 'QR', 'CONNECTING'].includes(status)) {
      buttons.push(button(t('reconnect'), 'restart', () => this.handlers.act(this.instance, 'restart'), 'secondary'));
    }
    if (['CONNECTED', 'QR', 'CONNECTING'].includes(status)) {
      buttons.push(button(t('logOut'), 'logout', () => this.handlers.act(this.instance, 'logout'), 'secondary'));
    }
    buttons.push(button(t('delete'), 'delete', () => this.handlers.remove(this.instance), 'danger'));
    this.actions.replaceChildren(...buttons);
    const again = focused && this.actions.querySelector(`[data-testid="${focused}"]`);
    (again || (focused && this.actions.firstElementChild))?.focus();
  }

  destroy() {
    this.qr.clear();
    this.element.remove();
  }
}
