// Live updates from `GET /api/events` (server-sent events). EventSource cannot
// send an Authorization header, so it rides on the HttpOnly session cookie
// that `POST /api/session` set at sign-in.
import { api, session } from './api.js';

const types = ['message', 'status', 'conversation', 'instance', 'script'];

/**
 * Dispatches one DOM event per server event, named by its `type`, with the
 * object as `detail`; `resync` after a reconnection (events may have been
 * missed); `state` when the connection changes (`detail`: live, reconnecting, offline).
 */
export const live = new EventTarget();

let source = null;
let retry = null;
let opened = false;

export function startLive() {
  stopLive();
  source = new EventSource('/api/events');
  for (const type of types) source.addEventListener(type, deliver);
  source.addEventListener('open', () => {
    if (opened) live.dispatchEvent(new Event('resync'));
    opened = true;
    announce('live');
  });
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED) return announce('reconnecting');
    announce('offline');
    // A closed stream is a refused one. The session behind the cookie may be
    // gone (the host restarted, or its 12 hours ran out): the key opens a
    // new one. A key no longer accepted ends the session through api().
    retry = setTimeout(async () => {
      const key = session.key();
      if (key && await session.open(key).catch(() => false)) return startLive();
      api('GET', '/api/instances').then(startLive, () => {});
    }, 5000);
  });
}

export function stopLive() {
  clearTimeout(retry);
  source?.close();
  source = null;
  opened = false;
}

function deliver(event) {
  let data;
  try { data = JSON.parse(event.data); } catch { return; }
  if (!data || typeof data.type !== 'string') return;
  live.dispatchEvent(new CustomEvent(data.type, { detail: data[data.type] ?? data }));
}

function announce(state) {
  live.dispatchEvent(new CustomEvent('state', { detail: state }));
}

/** Listens to `type` until the returned function is called. */
export function on(type, listener) {
  const handler = (event) => listener(event.detail, event);
  live.addEventListener(type, handler);
  return () => live.removeEventListener(type, handler);
}
