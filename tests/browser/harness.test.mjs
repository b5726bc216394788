// Tests of the browser harness itself, on small pages of our own (fixtures/): the browser
// gives pages a WebGPU adapter, and each kind of broken page is caught. Without these, a
// harness that silently stopped watching would let a broken app pass.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeWebGpuAdapter, openSession } from './browser.mjs';
import { CONTENT_SECURITY_POLICY, CSP_REPORT_PATH, mimeType, startServer } from './serve.mjs';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('browser harness', () => {
  let server;
  before(async () => {
    server = await startServer(FIXTURES);
  });
  after(async () => {
    await server?.close();
  });

  /**
   * Opens `fixture` in a fresh browser, waits for it to be ready, does `act` (if given), waits
   * for it to settle and returns the problems seen.
   */
  async function problemsOf(fixture, act) {
    const session = await openSession(server.url);
    try {
      await session.page.goto(`${server.url}/${fixture}`, { waitUntil: 'load' });
      await session.page.waitForSelector('#ready');
      await act?.(session.page);
      // Let timers, fetches and their console messages arrive.
      await session.page.waitForTimeout(500);
      return [...session.problems];
    } finally {
      await session.close();
    }
  }

  it('serves WebAssembly, gzip data and pages with the right MIME types', () => {
    assert.equal(mimeType('dist/app_bg.wasm'), 'application/wasm');
    assert.equal(mimeType('data/train-images-idx3-ubyte.gz'), 'application/gzip');
    assert.match(mimeType('index.html'), /^text\/html/);
    assert.match(mimeType('app.js'), /^text\/javascript/);
  });

  it('refuses paths outside the served folder', async () => {
    for (const sneaky of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json']) {
      const response = await fetch(`${server.url}${sneaky}`);
      assert.equal(response.status, 404, `${sneaky} must not be served`);
    }
  });

  it('gives a page on the local server a WebGPU adapter and records no problem on a clean page', async () => {
    const session = await openSession(server.url);
    try {
      await session.page.goto(`${server.url}/clean.html`, { waitUntil: 'load' });
      const adapter = await describeWebGpuAdapter(session.page);
      assert.ok(
        adapter,
        'navigator.gpu.requestAdapter() gave no adapter: Chromium needs --enable-unsafe-webgpu, and the page must be on http://127.0.0.1',
      );
      console.log(`WebGPU adapter in headless Chromium: ${adapter}`);
      await session.page.waitForTimeout(500);
      session.assertClean('clean fixture');
      assert.ok(
        session.requests.some((line) => line.endsWith('/clean.html')),
        'the page request itself must be recorded',
      );
    } finally {
      await session.close();
    }
  });

  it('catches a console error', async () => {
    const problems = await problemsOf('console-error.html');
    assert.ok(
      problems.some((p) => p.includes('console error: deliberate console error')),
      `not caught; recorded: ${JSON.stringify(problems)}`,
    );
  });

  it('catches an uncaught exception', async () => {
    const problems = await problemsOf('page-error.html');
    assert.ok(
      problems.some((p) => p.includes('uncaught exception') && p.includes('deliberate uncaught exception')),
      `not caught; recorded: ${JSON.stringify(problems)}`,
    );
  });

  it('catches and blocks a request to another host', async () => {
    // The page leaves for the other host when #ready is clicked, so that the harness has seen it
    // before it goes, however busy the machine.
    const problems = await problemsOf('foreign-request.html', (page) => page.click('#ready'));
    assert.ok(
      problems.some((p) => p.includes('request to a host other than') && p.includes('192.0.2.1')),
      `not caught; recorded: ${JSON.stringify(problems)}`,
    );
  });

  it('serves every response with the strict Content-Security-Policy', async () => {
    for (const file of ['/clean.html', '/page-error.js', '/favicon.svg', '/not-there.html']) {
      const response = await fetch(`${server.url}${file}`);
      assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, file);
    }
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'; script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /'unsafe-inline'|'unsafe-eval'|\*/);
  });

  it('catches an inline script that the Content-Security-Policy blocks, in the page and at its report endpoint', async () => {
    // A server of its own, so its report cannot reach the other tests' sessions.
    const own = await startServer(FIXTURES);
    const session = await openSession(own.url);
    try {
      await session.page.goto(`${own.url}/inline-script.html`, { waitUntil: 'load' });
      await session.page.waitForSelector('#ready');
      assert.notEqual(await session.page.title(), 'the inline script ran', 'the inline script must not run');
      for (let waited = 0; own.cspViolations.length === 0 && waited < 10_000; waited += 100) {
        await session.page.waitForTimeout(100);
      }
      const problems = session.allProblems();
      assert.ok(
        problems.some((p) => p.startsWith('CSP violation in') && p.includes('script-src')),
        `the page's securitypolicyviolation event was not caught; recorded: ${JSON.stringify(problems)}`,
      );
      assert.ok(
        own.cspViolations.some((v) => v.directive.startsWith('script-src') && v.document.endsWith('/inline-script.html')),
        `no report reached ${CSP_REPORT_PATH}; reports: ${JSON.stringify(own.cspViolations)}`,
      );
      assert.ok(
        problems.some((p) => p.startsWith('CSP violation reported to the server')),
        `the server's report is not among the session's problems: ${JSON.stringify(problems)}`,
      );
      assert.throws(() => session.assertClean('inline script'), /CSP violation/);
    } finally {
      await session.close();
      await own.close();
    }
  });

  it('catches a missing file on the local server', async () => {
    const problems = await problemsOf('missing-file.html');
    assert.ok(
      problems.some((p) => p.startsWith('HTTP 404') && p.includes('/data/not-there.idx.gz')),
      `not caught; recorded: ${JSON.stringify(problems)}`,
    );
  });
});
