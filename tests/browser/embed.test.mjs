// Embed mode: `?embed=<part>` shows one part without the page's header, footer or other
// sections; the page's snippet carries the current state; and a host page that pastes the
// snippet gets the iframe's height from the embedded page, so the iframe never scrolls.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIST_DIR, openSession } from './browser.mjs';
import { startServer } from './serve.mjs';

const PREFIX = '/blog/tools/';

/** Whether the element matching `selector` is in the page. */
const present = (page, selector) => page.locator(selector).count().then((n) => n > 0);

describe('embed mode', () => {
  let server;
  let session;
  let base;
  before(async () => {
    server = await startServer(DIST_DIR, { prefix: PREFIX });
    session = await openSession(server.url);
    base = `${server.url}${PREFIX}`;
  });
  after(async () => {
    await session?.close();
    await server?.close();
  });

  it('shows only the chosen part, with its inputs from the URL', { timeout: 120_000 }, async () => {
    const { page } = session;
    await page.goto(`${base}?embed=training-cost&lang=en&training-gpus=8`, { waitUntil: 'load' });
    await page.waitForSelector('#training-card', { timeout: 60_000 });
    assert.equal(await page.inputValue('#training-gpus'), '8');
    for (const absent of ['.site-header', '.site-footer', '#calculator', '#trainer', '#serving-card', '#pricewar-card', '#keep', '#embed', '#costmodel-preset-article']) {
      assert.equal(await present(page, absent), false, `${absent} should not be embedded`);
    }

    // The price war alone: its buttons that copy from the training and serving cards are left
    // out, since those cards (and so the figures they would copy) are not on the page.
    await page.goto(`${base}?embed=price-war&lang=en`, { waitUntil: 'load' });
    await page.waitForSelector('#pricewar-card', { timeout: 60_000 });
    for (const absent of ['#training-card', '#serving-card', '#pricewar-use-training', '#pricewar-use-serving']) {
      assert.equal(await present(page, absent), false, `${absent} should not be in the embedded price war`);
    }
    await page.goto(`${base}?embed=cost-model&lang=en`, { waitUntil: 'load' });
    await page.waitForSelector('#pricewar-card', { timeout: 60_000 });
    assert.ok(await present(page, '#pricewar-use-training'), 'the whole cost model keeps the buttons');
    assert.ok(await present(page, '#pricewar-use-serving'));

    await page.goto(`${base}?embed=trainer`, { waitUntil: 'load' });
    await page.waitForSelector('#train-start', { timeout: 60_000 });
    assert.equal(await present(page, '#calculator'), false);
    assert.equal(await present(page, '#cost-model'), false);

    await page.goto(`${base}?embed=formulas`, { waitUntil: 'load' });
    await page.waitForSelector('#utilisation-out', { timeout: 60_000 });
    assert.equal(await present(page, '#cost-model'), false);
    assert.equal(await present(page, '.site-header'), false);
    session.assertClean('embedded parts');
  });

  it('falls back to the whole page, with a notice, for an unknown part', { timeout: 60_000 }, async () => {
    const { page } = session;
    await page.goto(`${base}?embed=header`, { waitUntil: 'load' });
    await page.waitForSelector('#embed-notice', { timeout: 60_000 });
    for (const shown of ['.site-header', '#calculator', '#cost-model', '#trainer']) {
      assert.ok(await present(page, shown), `${shown} should be on the whole page`);
    }
    assert.ok(!(await page.textContent('#embed-notice')).includes('header'), 'the URL value is not echoed');
    session.assertClean('unknown part');
  });

  it('offers a snippet for the current state that a host page can paste', { timeout: 180_000 }, async () => {
    const { page, context } = session;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto(`${base}?lang=en`, { waitUntil: 'load' });
    await page.waitForSelector('#embed', { timeout: 60_000 });
    await page.fill('#training-gpus', '16');
    await page.click('#embed summary');
    await page.selectOption('#embed-part', 'training-cost');
    const snippet = await page.inputValue('#embed-snippet');
    const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
    const url = new URL(src);
    assert.equal(`${url.origin}${url.pathname}`, base, 'the absolute URL of the page');
    assert.equal(url.searchParams.get('embed'), 'training-cost');
    assert.equal(url.searchParams.get('lang'), 'en');
    assert.equal(url.searchParams.get('training-gpus'), '16', 'the current state');
    assert.ok(snippet.includes(`e.origin !== "${server.url}"`), 'the listener checks the origin');

    await page.click('#embed-copy');
    await page.waitForSelector('#embed-copy-status[data-state="copied"]');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);

    // A host page pastes the snippet as it is. It stands for a blog with no policy of its own, so
    // it opens in a browser that ignores the test server's Content-Security-Policy (which forbids
    // the snippet's inline listener, as a host's own strict policy would: README says so).
    const host = await openSession(server.url, { bypassCSP: true });
    try {
    const page = host.page;
    await page.goto(base, { waitUntil: 'load' });
    // Let the app finish loading before its document is replaced: replacing it while the wasm
    // is still on its way aborts that request, which the harness counts as a problem.
    await page.waitForSelector('#training-card', { timeout: 60_000 });
    await page.setContent(`<!doctype html><html><body><h1>A blog post</h1>${snippet}<p>After.</p></body></html>`);
    const frameElement = page.locator('iframe');
    const frame = await (await frameElement.elementHandle()).contentFrame();
    await frame.waitForSelector('#training-card', { timeout: 60_000 });
    assert.equal(await frame.inputValue('#training-gpus'), '16');

    const fits = async () => {
      const inner = await frame.evaluate(() => ({
        content: Math.ceil(document.documentElement.getBoundingClientRect().height),
        scroll: document.documentElement.scrollHeight,
        view: window.innerHeight,
      }));
      const outer = await frameElement.evaluate((f) => f.getBoundingClientRect().height);
      return { ...inner, outer };
    };
    const waitUntilFitted = async (what) => {
      const deadline = Date.now() + 10_000;
      let last;
      while (Date.now() < deadline) {
        last = await fits();
        if (Math.abs(last.outer - last.content) <= 1 && last.scroll <= last.view) return last;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.fail(`the iframe did not fit its content (${what}): ${JSON.stringify(last)}`);
    };
    const first = await waitUntilFitted('on load');
    assert.notEqual(first.outer, 600, 'the height came from the embedded page, not the snippet');

    // A change of height inside is followed: a bad GPU count shows an error and hides results.
    await frame.fill('#training-gpus', 'many');
    await frame.waitForSelector('#training-gpus[aria-invalid="true"]');
    const second = await waitUntilFitted('after a change');
    assert.notEqual(second.outer, first.outer, 'the height changed and the iframe followed');
    host.assertClean('host page');
    } finally {
      await host.close();
    }
    session.assertClean('snippet');
  });
});
