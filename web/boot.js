// Starts the web app: imports the module that wasm-bindgen generated and runs the Rust `main`.
// It is a file of its own rather than Trunk's inline script, so the page can forbid inline
// scripts in its Content-Security-Policy. Trunk fills in the two file names (see Trunk.toml).
const tag = document.querySelector('script[data-wasm]');
if (!tag) {
  throw new Error('boot.js: the <script data-js data-wasm> tag that Trunk writes is missing');
}
const { default: init } = await import(new URL(tag.dataset.js, document.baseURI).href);
const wasm = await init({ module_or_path: new URL(tag.dataset.wasm, document.baseURI) });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));

// The service worker (web/sw.js) keeps the page, its files and the data for offline use. It sits
// beside the page, so its scope is the page's folder under any sub-path. Without one (an
// insecure context, a browser that disables it) the page simply needs the network.
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker
    .register(new URL('sw.js', document.baseURI), { scope: './' })
    .catch((error) => console.warn('offline mode unavailable: the service worker did not register:', error));
}
