// A small static file server for the browser tests: serves one folder (the built `dist/`)
// on 127.0.0.1 only, on a free port, with the MIME types the app needs (`application/wasm`
// for WebAssembly streaming compilation). Nothing else: no directory listings, no paths
// outside the folder, no compression (the app detects gzip data by its bytes itself).
//
// Every response carries the strict Content-Security-Policy a host of the app should send
// (README, "Security"), with a report endpoint on this same server: the violations the
// browser reports there are kept in `server.cspViolations`, and the test harness
// (browser.mjs) fails any test that caused one.
//
// As a module: `const server = await startServer(dir); ... server.url ... await server.close()`.
// From the shell: `node tests/browser/serve.mjs [dir] [port]` (defaults: dist, a free port).

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where browsers send Content-Security-Policy violation reports (`report-uri`). */
export const CSP_REPORT_PATH = '/__csp-report';

/**
 * The policy every response carries. Each directive, and why it is there:
 * - `default-src 'self'`: scripts, styles, images, fonts, fetches (the wasm module, the MNIST
 *   data) and workers come from the page's own origin only; no inline style or script.
 * - `script-src 'self' 'wasm-unsafe-eval'`: the same for scripts, plus compiling WebAssembly,
 *   which the app is; no 'unsafe-inline', no 'unsafe-eval'.
 * - `base-uri 'self'` and `form-action 'self'`: not covered by default-src; without them
 *   injected markup could re-point the page's relative URLs or a form at another host.
 * - `report-uri`: violations are reported to this server, so a test sees them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "base-uri 'self'",
  "form-action 'self'",
  `report-uri ${CSP_REPORT_PATH}`,
].join('; ');

/** Largest violation report accepted, in bytes; a report is a few hundred. */
const MAX_REPORT_BYTES = 64 * 1024;

/** The violations reported to each running server, by its origin (`http://127.0.0.1:PORT`). */
const violationsByOrigin = new Map();

/**
 * The CSP violations reported so far to the server at `origin`, or an empty list when no
 * server of ours runs there. browser.mjs reads this to fail a test on any violation.
 */
export function cspViolationsAt(origin) {
  return violationsByOrigin.get(origin) ?? [];
}

/** Reads a violation report (`application/csp-report` JSON) and stores it in `violations`. */
function recordViolation(request, response, violations) {
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_REPORT_BYTES) {
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    let report;
    try {
      report = JSON.parse(Buffer.concat(chunks).toString('utf8'))['csp-report'] ?? {};
    } catch {
      report = { unreadable: true };
    }
    violations.push({
      directive: report['effective-directive'] ?? report['violated-directive'] ?? '?',
      blocked: report['blocked-uri'] ?? '?',
      document: report['document-uri'] ?? '?',
      source: report['source-file'] ?? '',
      line: report['line-number'] ?? 0,
    });
    response.writeHead(204, { 'Cache-Control': 'no-store' });
    response.end();
  });
}

/** MIME type by file extension; anything unknown is served as opaque bytes. */
const MIME_TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.wasm', 'application/wasm'],
  ['.wgsl', 'text/plain; charset=utf-8'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.md', 'text/plain; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.gz', 'application/gzip'],
]);

/** The MIME type of `filePath`, from its extension. */
export function mimeType(filePath) {
  return MIME_TYPES.get(path.extname(filePath).toLowerCase()) ?? 'application/octet-stream';
}

/**
 * Maps a request path to a file inside `root`, or null when it would leave `root`.
 * A path ending in '/' means its index.html.
 */
function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const full = path.resolve(root, `.${path.posix.normalize(relative)}`);
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

function sendText(response, status, text) {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  });
  response.end(text);
}

/**
 * Starts serving `dir` on 127.0.0.1:`port` (0 picks a free port).
 * Resolves to `{ url, port, cspViolations, close }`; `url` ends without a slash, e.g.
 * http://127.0.0.1:40123; `cspViolations` lists the policy violations reported so far.
 */
export async function startServer(dir, { port = 0, log = false, prefix = '/' } = {}) {
  // `prefix` hosts the folder under a sub-path (e.g. '/tools/pricewar/'), as a blog would:
  // nothing outside it is served.
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const root = path.resolve(dir);
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) {
    throw new Error(`cannot serve '${root}': no such folder (run 'trunk build --release' first)`);
  }

  const cspViolations = [];
  // Query strings of up to a megabyte reach the app (tests/browser/url_fuzz.test.mjs tries
  // 100 KB ones); Node's default limit of 16 KB would answer 431 before the app sees them.
  const server = createServer({ maxHeaderSize: 1 << 20 }, async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'POST' && url.pathname === CSP_REPORT_PATH) {
      if (log) console.log('CSP report');
      recordViolation(request, response, cspViolations);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'only GET and HEAD are served\n');
      return;
    }
    const inside = url.pathname.startsWith(base) ? `/${url.pathname.slice(base.length)}` : null;
    const filePath = inside === null ? null : resolveInside(root, inside);
    const fileStat = filePath ? await stat(filePath).catch(() => null) : null;
    if (!filePath || !fileStat?.isFile()) {
      if (log) console.log(`404 ${url.pathname}`);
      sendText(response, 404, `not found: ${url.pathname}\n`);
      return;
    }
    if (log) console.log(`200 ${url.pathname}`);
    response.writeHead(200, {
      'Content-Type': mimeType(filePath),
      'Content-Length': fileStat.size,
      'Cache-Control': 'no-store',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(filePath)
      .on('error', () => response.destroy())
      .pipe(response);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const origin = `http://127.0.0.1:${actualPort}`;
  violationsByOrigin.set(origin, cspViolations);
  return {
    url: origin,
    port: actualPort,
    cspViolations,
    close: () =>
      new Promise((resolve) => {
        violationsByOrigin.delete(origin);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'dist';
  const port = Number(process.argv[3] ?? 0);
  const server = await startServer(dir, { port, log: true });
  console.log(`serving ${path.resolve(dir)} on ${server.url}/ (Ctrl-C stops)`);
}
