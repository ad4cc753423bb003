// Builds elements from plain values. Text always goes in as text, never as
// HTML, so contact names and messages cannot inject markup.

/**
 * `h('button', {type: 'button', onclick: f, dataset: {testid: 'x'}}, 'Label')`.
 * `class`, `text`, `dataset` and `on…` are special; `true` sets a boolean
 * attribute, `null`/`false`/`undefined` leave it out.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Waits `delay` ms after the last call before running `action`. */
export function debounce(action, delay) {
  let timer = null;
  const call = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => action(...args), delay);
  };
  call.cancel = () => clearTimeout(timer);
  return call;
}
