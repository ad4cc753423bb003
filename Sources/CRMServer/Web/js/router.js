// Client-side pages with the History API. The server answers index.html for
// each of these paths, so a reload or a shared link lands on the same page.

const routes = [
  { pattern: /^\/(?:inbox)?\/?$/, page: 'inbox' },
  { pattern: /^\/conversations\/(\d+)\/?$/, page: 'inbox', param: 'conversationId' },
  { pattern: /^\/instances\/?$/, page: 'instances' },
  { pattern: /^\/scripts\/?$/, page: 'scripts' },
];

/** The page and parameters for `path`, or null for an unknown path. */
export function match(path) {
  for (const route of routes) {
    const found = route.pattern.exec(path);
    if (found) return { page: route.page, params: route.param ? { [route.param]: Number(found[1]) } : {} };
  }
  return null;
}

let onChange = () => {};

/** Renders through `render` on every navigation, including back and forward. */
export function startRouter(render) {
  onChange = render;
  window.addEventListener('popstate', () => onChange());
  document.addEventListener('click', (event) => {
    const link = event.target.closest?.('a[href^="/"]');
    if (!link || event.defaultPrevented || event.button !== 0 || link.target || link.hasAttribute('download')
        || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(link.getAttribute('href'));
  });
}

export function navigate(path, { replace = false } = {}) {
  if (path !== location.pathname + location.search) {
    history[replace ? 'replaceState' : 'pushState'](null, '', path);
  }
  onChange();
}
