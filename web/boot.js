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
