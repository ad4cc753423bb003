// The company's instances, shared by the header badge, the inbox filter and
// the instances page, and kept current by `instance` events.
import { api } from './api.js';
import { on } from './live.js';

let instances = [];
const listeners = new Set();

/** Calls `listener` now and on every change; returns the unsubscribe function. */
export function watchInstances(listener) {
  listeners.add(listener);
  listener(instances);
  return () => listeners.delete(listener);
}

export async function loadInstances() {
  const page = await api('GET', '/api/instances');
  publish(page.items);
}

/** Takes a newer copy of one instance (an API answer or an event). */
export function putInstance(instance) {
  const index = instances.findIndex((known) => known.id === instance.id);
  if (index === -1) {
    if (!instance.name) return loadInstances().catch(() => {});
    return publish([...instances, instance]);
  }
  const next = instances.slice();
  next[index] = { ...instances[index], ...instance };
  publish(next);
}

export function dropInstance(id) {
  publish(instances.filter((instance) => instance.id !== id));
}

function publish(next) {
  instances = next;
  for (const listener of listeners) listener(instances);
}

on('instance', (instance) => {
  if (!instance?.id) return;
  // A deleted instance is announced once more, with the status DELETED.
  if (instance.status === 'DELETED') dropInstance(instance.id);
  else putInstance(instance);
});
on('resync', () => loadInstances().catch(() => {}));
