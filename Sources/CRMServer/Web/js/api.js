// The HTTP API of SPEC §8. The key lives in sessionStorage (this tab only,
// never in a URL); any 401 ends the session and sends the user to sign-in.

const storageKey = 'crm.apiKey';

/** Fires `signed-out` when the server no longer accepts the key. */
export const sessionEvents = new EventTarget();

export const session = {
  key: () => sessionStorage.getItem(storageKey),
  forget: () => sessionStorage.removeItem(storageKey),

  /** Checks `key` and trades it for the HttpOnly cookie `/api/events` needs. */
  async open(key) {
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key }),
      credentials: 'same-origin',
    });
    if (response.status === 401) return false;
    if (!response.ok) throw await APIError.from(response);
    sessionStorage.setItem(storageKey, key);
    return true;
  },

  async close() {
    this.forget();
    await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => {});
  },
};

/** An answer of the API that is not a success, with its `{"error": {code, message}}`. */
export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  static async from(response) {
    const body = await response.json().catch(() => null);
    return new APIError(response.status, body?.error?.code ?? 'http_' + response.status,
                        body?.error?.message ?? response.statusText);
  }
}

async function request(method, path, body) {
  const headers = { Authorization: `Bearer ${session.key() ?? ''}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 401) {
    session.forget();
    sessionEvents.dispatchEvent(new Event('signed-out'));
  }
  if (!response.ok) throw await APIError.from(response);
  return response;
}

/** Calls the API and answers its JSON, or null for 204. */
export async function api(method, path, body) {
  const response = await request(method, path, body);
  return response.status === 204 ? null : response.json();
}

/** Fetches a binary answer (the QR image) with the key, as a Blob. */
export async function apiBlob(path) {
  return (await request('GET', path)).blob();
}

/** `/path?name=value…`, leaving out empty values. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.set(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
