// The service worker that lets the page work offline once it has been loaded. web/boot.js
// registers it from the page's own folder, so its scope is that folder, wherever the app is
// hosted (the root of a domain or a sub-path such as /tools/pricewar/).
//
// What it keeps, in one cache per scope: the page, boot.js, the JS and wasm that Trunk built,
// the style sheet, the icon, and the four MNIST files. On install it reads the page to find the
// built files' names (they carry a content hash) and fetches them with the data.
//
// How it answers a request inside its scope (anything else, including every other origin,
// passes by untouched):
// - a file whose name carries a hash never changes: from the cache, else from the network;
// - everything else (the page itself, boot.js, the data): from the network, falling back to the
//   cache when offline. So a new deploy is seen on the next load, and a cached page never
//   hides it. Each page it fetches tells it which hashed files are current; the others are
//   deleted.

const CACHE = `price-war-lab:${self.registration.scope}`;

/** Files the page needs that the page's HTML does not name. */
const DATA_FILES = [
  'data/train-images-idx3-ubyte.gz',
  'data/train-labels-idx1-ubyte.gz',
  'data/t10k-images-idx3-ubyte.gz',
  'data/t10k-labels-idx1-ubyte.gz',
];

/** Trunk's file hashes: `name-<16 hex digits>.ext`, or `name-<hex>_bg.wasm`. */
const HASHED = /-[0-9a-f]{16}(_bg)?\.[a-z0-9]+$/;

const scopeUrl = new URL(self.registration.scope);

/** The page's own URL, without a query: every navigation in scope is the same page. */
const PAGE = scopeUrl.href;

/** The files a built page names: its icon, style sheet, boot.js and the JS and wasm. */
function filesNamedBy(html) {
  const found = new Set(['boot.js']);
  for (const match of html.matchAll(/\b(?:href|src|data-js|data-wasm)="([^"]+)"/g)) {
    const url = new URL(match[1], PAGE);
    if (url.origin === scopeUrl.origin && url.href.startsWith(PAGE)) {
      found.add(url.href.slice(PAGE.length));
    }
  }
  return [...found];
}

/** Fetches the page and everything it needs into the cache; fails if any file is missing. */
async function fillCache() {
  const cache = await caches.open(CACHE);
  const response = await fetch(PAGE, { cache: 'no-store' });
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${PAGE}`);
  const html = await response.clone().text();
  await cache.put(PAGE, response);
  await cache.addAll([...filesNamedBy(html), ...DATA_FILES].map((f) => new URL(f, PAGE).href));
  await pruneHashed(cache, html);
}

/** Deletes cached hashed files that the page `html` no longer names (an older build's). */
async function pruneHashed(cache, html) {
  const current = new Set(filesNamedBy(html).map((f) => new URL(f, PAGE).href));
  for (const request of await cache.keys()) {
    if (HASHED.test(new URL(request.url).pathname) && !current.has(request.url)) {
      await cache.delete(request);
    }
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(fillCache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // Other caches of this scope (none today; a renamed cache tomorrow).
      for (const name of await caches.keys()) {
        if (name.startsWith('price-war-lab:') && name !== CACHE && name.endsWith(scopeUrl.href)) {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== scopeUrl.origin || !url.href.startsWith(PAGE)) {
    return;
  }
  if (request.mode === 'navigate') {
    // Only the page itself; any other page that shares the folder is not ours to keep.
    if (url.pathname === scopeUrl.pathname || url.pathname === `${scopeUrl.pathname}index.html`) {
      event.respondWith(networkFirst(request, PAGE, event));
    }
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request, url.origin + url.pathname, event));
  }
});

/** The cached copy, or the network's answer (kept for next time). */
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** The network's answer, stored under `key`; the cached copy when the network fails. */
async function networkFirst(request, key, event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(key, response.clone());
      if (key === PAGE) {
        // A fresh page names the current build's files: fetch any new ones, drop old ones.
        event.waitUntil(
          response
            .clone()
            .text()
            .then(async (html) => {
              const missing = [];
              for (const f of filesNamedBy(html)) {
                const href = new URL(f, PAGE).href;
                if (!(await cache.match(href))) missing.push(href);
              }
              await cache.addAll(missing);
              await pruneHashed(cache, html);
            })
            .catch(() => {}),
        );
      }
    }
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw error;
  }
}
