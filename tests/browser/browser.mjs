// Shared harness of the browser tests: starts Debian's Chromium headless with WebGPU on its
// SwiftShader adapter, in a fresh profile, and watches everything a page does that should
// make a test fail: a console error, an uncaught exception, a request to any host other than
// our own local server (aborted, so nothing leaves the machine), a failed request, an HTTP
// error status, or a Content-Security-Policy violation (seen by the page's
// `securitypolicyviolation` event, and reported by the browser to our server's report-uri).
// Tests call `session.assertClean()` at the end and after each step that matters.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { cspViolationsAt, startServer } from './serve.mjs';

/** Debian's Chromium; playwright-core never downloads a browser of its own here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Chromium switches for headless WebGPU without a GPU. Playwright adds `--headless`,
 * `--no-sandbox` (we run as root), and `--user-data-dir` (the fresh folder we give it).
 * `--enable-unsafe-webgpu` is what exposes SwiftShader's WebGPU adapter on Linux;
 * `--disable-gpu` keeps Chromium off any host GPU, so every machine gets the same adapter.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium in a fresh temporary profile and starts watching its pages.
 * `allowedOrigin` is the local server's origin (`http://127.0.0.1:PORT`); every request to
 * another origin is recorded as a problem and aborted.
 * Returns a session: `{ page, problems, requests, assertClean(), close() }`.
 * Options (all optional): `args`, Chromium switches to use instead of `CHROMIUM_ARGS` (e.g.
 * without `--enable-unsafe-webgpu`); `initScript`, JavaScript source run in every page before
 * the page's own scripts (Playwright's `addInitScript`), to hide or break browser APIs;
 * `locale`, the browser's language (`navigator.language(s)` and Accept-Language), e.g. 'zh-CN';
 * without it Chromium runs as en-US.
 */
export async function openSession(
  allowedOrigin,
  { args = CHROMIUM_ARGS, initScript, locale, bypassCSP = false } = {},
) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: run 'bash scripts/setup.sh' (installs Debian's chromium)`);
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'price-war-lab-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args,
      viewport: { width: 1280, height: 900 },
      ...(locale ? { locale } : {}),
      // Only for a page that stands for someone else's site (a blog with no policy of its own).
      bypassCSP,
      // Chromium's own stderr is noise unless something breaks; set PWL_BROWSER_LOG=1 to see it.
      ...(process.env.PWL_BROWSER_LOG ? { logger: browserLogger } : {}),
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }

  /** Everything that should fail the test, in the order it happened. */
  const problems = [];
  /** Reports our server already had when this session began belong to earlier sessions. */
  const earlierReports = cspViolationsAt(allowedOrigin).length;
  /** Every request any page made, as `METHOD url`. */
  const requests = [];

  const isLocal = (url) => {
    try {
      const parsed = new URL(url);
      // data: and blob: URLs never touch the network; wasm-bindgen and the app may use them.
      if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return true;
      return parsed.origin === allowedOrigin;
    } catch {
      return false;
    }
  };

  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocal(url)) {
      await route.continue();
    } else {
      await route.abort('blockedbyclient');
    }
  });

  const watchPage = (page) => {
    page.on('request', (request) => {
      requests.push(`${request.method()} ${request.url()}`);
      if (!isLocal(request.url())) {
        problems.push(`request to a host other than ${allowedOrigin}: ${request.method()} ${request.url()}`);
      }
    });
    page.on('requestfailed', (request) => {
      if (isLocal(request.url())) {
        problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`);
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400) {
        problems.push(`HTTP ${response.status()} for ${response.url()}`);
      }
    });
    page.on('console', (message) => {
      if (message.type() === 'error') {
        const where = message.location();
        const at = where?.url ? ` (at ${where.url}:${where.lineNumber})` : '';
        problems.push(`console error: ${message.text()}${at}`);
      }
    });
    page.on('pageerror', (error) => {
      problems.push(`uncaught exception in the page: ${error.stack ?? error.message}`);
    });
    page.on('crash', () => problems.push('the page crashed'));
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);

  // Every violation of the page's Content-Security-Policy, as the page itself sees it. The
  // listener is installed before any of the page's scripts run; neither it nor the binding it
  // calls is subject to the policy (both go through the DevTools protocol).
  await context.exposeBinding('__pwlCspViolation', (_source, v) => {
    problems.push(`CSP violation in ${v.document}: ${v.directive} blocked ${v.blocked || 'inline code'}` +
      `${v.source ? ` (at ${v.source}:${v.line})` : ''}${v.sample ? `: ${v.sample}` : ''}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__pwlCspViolation({
        document: event.documentURI,
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: event.sourceFile,
        line: event.lineNumber,
        sample: event.sample,
      });
    });
  });

  if (initScript) {
    await context.addInitScript(initScript);
  }
  const page = context.pages()[0] ?? (await context.newPage());

  return {
    page,
    context,
    problems,
    requests,
    /** Every recorded problem, with the CSP violations our server has received so far. */
    allProblems() {
      const reported = cspViolationsAt(allowedOrigin).slice(earlierReports).map(
        (v) => `CSP violation reported to the server: ${v.directive} blocked ${v.blocked} in ${v.document}`,
      );
      return [...problems, ...reported];
    },
    /** Fails with every recorded problem, if there is any. */
    assertClean(step = 'so far') {
      const all = this.allProblems();
      assert.deepEqual(all, [], `the page had problems (${step}):\n  ${all.join('\n  ')}`);
    },
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

const browserLogger = {
  isEnabled: (name) => name === 'browser',
  log: (name, severity, message) => console.error(`[${name}] ${message}`),
};

/**
 * Asks the page for a WebGPU adapter, the way the app does. Returns a short description
 * (`vendor / architecture / description`) or null when `navigator.gpu` or the adapter is missing.
 */
export async function describeWebGpuAdapter(page) {
  return page.evaluate(async () => {
    if (!('gpu' in navigator)) return null;
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return null;
    const info = adapter.info ?? {};
    return [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') || 'unnamed adapter';
  });
}

/** The built app: `dist/` at the repository root, or `$PWL_DIST`. */
export const DIST_DIR =
  process.env.PWL_DIST ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

/**
 * Serves the built app, opens it in a fresh browser session, and waits until the app has
 * mounted (`readySelector` is on the page). Returns `{ server, session, page }`; call
 * `closeApp` on it when done. `sessionOptions` are passed to `openSession` (e.g. `locale`);
 * `sessionOptions.query` is appended to the page's URL (e.g. '?lang=zh').
 */
export async function openApp(readySelector, { query = '', ...sessionOptions } = {}) {
  const server = await startServer(DIST_DIR);
  let session;
  try {
    session = await openSession(server.url, sessionOptions);
    await session.page.goto(`${server.url}/${query}`, { waitUntil: 'load' });
    try {
      await session.page.waitForSelector(readySelector, { timeout: 60_000 });
    } catch (error) {
      throw new Error(
        `the app did not show ${readySelector} within 60 s; problems: ${JSON.stringify(session.problems)}`,
        { cause: error },
      );
    }
    return { server, session, page: session.page };
  } catch (error) {
    await session?.close();
    await server.close();
    throw error;
  }
}

/** Closes what `openApp` opened. */
export async function closeApp(app) {
  await app?.session.close();
  await app?.server.close();
}
