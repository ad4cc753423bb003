// A modal confirmation for actions that cannot be undone. The native <dialog>
// traps focus, closes on Escape and gives focus back to the opener.
import { h } from './dom.js';
import { t } from './i18n.js';

/** Resolves true when the user confirms, false when they cancel or press Escape. */
export function confirmAction({ title, message, confirmLabel }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', {
      id: 'confirm-dialog', class: 'card', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-message',
      'data-testid': 'confirm-dialog',
    },
    h('form', { method: 'dialog' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', { id: 'confirm-message' }, message),
      h('div', { class: 'actions' },
        h('button', { value: 'cancel', class: 'secondary', id: 'confirm-cancel', 'data-testid': 'confirm-cancel', autofocus: true },
          t('cancel')),
        h('button', { value: 'confirm', class: 'danger', id: 'confirm-accept', 'data-testid': 'confirm-accept' },
          confirmLabel))));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'confirm');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
