// An instance's pairing QR, drawn by the server as SVG. It is fetched with the
// key (an <img src> could not send it) and redrawn only when the code changes.
import { apiBlob } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

export class QRView {
  constructor() {
    this.code = null;
    this.url = null;
    this.image = h('img', { class: 'qr', 'data-testid': 'instance-qr', width: 320, height: 320, hidden: true });
    this.caption = h('figcaption', {});
    this.element = h('figure', { class: 'qr-panel', 'data-testid': 'qr-panel', hidden: true }, this.image, this.caption);
  }

  /** Shows the current QR while the instance waits for a scan; hides it otherwise. */
  show(instance) {
    const code = instance.status === 'QR' || instance.status === 'CONNECTING' ? instance.qr_code || null : null;
    const waiting = instance.status === 'CONNECTING' || (instance.status === 'QR' && !code);
    this.element.hidden = !code && !waiting;
    this.caption.textContent = code ? t('scanQr', instance.name) : t('qrWaiting');
    this.image.alt = t('qrAlt', instance.name);
    if (code === this.code) return;
    this.code = code;
    if (!code) return this.clear();
    apiBlob(`/api/instances/${instance.id}/qr?format=svg`).then((blob) => {
      if (this.code !== code) return;
      this.release();
      this.url = URL.createObjectURL(blob);
      this.image.src = this.url;
      this.image.dataset.qrCode = code;
      this.image.hidden = false;
    }, () => {
      if (this.code === code) this.code = null;
    });
  }

  clear() {
    this.code = null;
    this.release();
    this.image.removeAttribute('src');
    delete this.image.dataset.qrCode;
    this.image.hidden = true;
  }

  release() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
  }
}
