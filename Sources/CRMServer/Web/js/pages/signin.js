// Sign-in with an API key. The key is checked by `POST /api/session`, which
// also sets the cookie the live event stream needs.
import { session } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** Shows the form in `container`; calls `entered` once a key is accepted. */
export function showSignIn(container, notice, entered) {
  const error = h('p', { class: 'error', id: 'sign-in-error', role: 'alert', 'data-testid': 'sign-in-error' }, notice);
  const input = h('input', {
    id: 'api-key', name: 'key', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'sign-in-help sign-in-error', 'data-testid': 'api-key',
  });
  const button = h('button', { type: 'submit', id: 'sign-in', 'data-testid': 'sign-in' }, t('signIn'));
  const form = h('form', { class: 'sign-in card', id: 'sign-in-form', onsubmit: submit },
    h('h1', {}, t('signInTitle')),
    h('p', { id: 'sign-in-help', class: 'muted' }, t('signInHelp')),
    h('label', { for: 'api-key' }, t('apiKey')),
    input,
    error,
    button);
  container.replaceChildren(form);
  input.focus();

  async function submit(event) {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    error.textContent = '';
    try {
      if (await session.open(key)) {
        input.value = '';
        await entered();
        return;
      }
      error.textContent = t('keyRejected');
    } catch {
      error.textContent = t('networkError');
    } finally {
      button.disabled = false;
    }
    input.select();
  }
}
