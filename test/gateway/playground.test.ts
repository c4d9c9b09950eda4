import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { Kind, parse, print, type DocumentNode } from 'graphql';
import { DEFAULT_QUERY } from '../../gateway/playground.js';
import { chromium, type Browser } from 'playwright-core';
import { startGateway, type RunningGateway } from '../helpers/platform.js';
import { startToySubgraph, toySupergraph, type ToySubgraph } from './toys.js';

const CHROMIUM = '/usr/bin/chromium';

let people: ToySubgraph;
let gateway: RunningGateway;

beforeAll(async () => {
  people = await startToySubgraph('people');
  gateway = await startGateway({ kind: 'sdl', sdl: toySupergraph([people]) });
});

afterAll(async () => {
  await gateway?.close();
  await people?.close();
});

/** Every `src` and `href` of the page. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
}

/** Operation `name` of `document`, printed: comments and layout aside, what it asks. */
function printedOperation(document: DocumentNode, name: string): string | undefined {
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name);
  return operation && print(operation);
}

describe('the playground', () => {
  it("opens on exactly the portal contract's WhatDoINeed operation", () => {
    // The repository's copy of the published contract (test/integration/contractCopy.test.ts keeps them equal).
    const contract = parse(readFileSync(new URL('../../contract/portal.graphql', import.meta.url), 'utf8'));
    const expected = printedOperation(contract, 'WhatDoINeed');
    expect(expected).toBeDefined();
    expect(printedOperation(parse(DEFAULT_QUERY), 'WhatDoINeed')).toBe(expected);
  });

  it('is where / sends a person', async () => {
    const response = await fetch(`${gateway.baseUrl}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/playground');
  });

  it('references only same-origin assets, each served with its content type', async () => {
    const response = await fetch(`${gateway.baseUrl}/playground`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    const assets = references(html);
    expect(assets).toEqual([
      '/playground/assets/graphiql.min.css',
      '/playground/assets/react.production.min.js',
      '/playground/assets/react-dom.production.min.js',
      '/playground/assets/graphiql.min.js',
      '/playground/assets/playground.js',
    ]);
    for (const asset of assets) {
      const served = await fetch(new URL(asset, gateway.baseUrl));
      expect(served.status, asset).toBe(200);
      expect(served.headers.get('content-type'), asset).toMatch(asset.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/);
      expect((await served.text()).length, asset).toBeGreaterThan(100);
    }
    expect((await fetch(`${gateway.baseUrl}/playground/assets/secrets.env`)).status).toBe(404);
  });

  describe('in a real browser with no network but the gateway', () => {
    let browser: Browser;
    beforeAll(async () => {
      // Debian's chromium, never a downloaded browser: the machine has no internet.
      if (!existsSync(CHROMIUM)) {
        throw new Error(`This test drives Debian's chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does).`);
      }
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("opens on the portal contract's WhatDoINeed query with its variables", async () => {
      const page = await browser.newPage();
      await page.goto(`${gateway.baseUrl}/playground`);
      await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 10_000 }).toContain('query WhatDoINeed($slug: ID!)');
      await page.getByText('Variables', { exact: true }).click();
      expect(await page.locator('.graphiql-editor-tool').innerText()).toContain('revalidar-licencia-de-conducir');
      await page.close();
    });

    it('runs a query with the run button and shows the result', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const blocked: string[] = [];
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      await page.route('**/*', (route) => {
        if (new URL(route.request().url()).hostname === '127.0.0.1') return route.continue();
        blocked.push(route.request().url());
        return route.abort();
      });

      const query = '{ people { name } }';
      await page.goto(`${gateway.baseUrl}/playground?query=${encodeURIComponent(query)}`);
      await page.locator('.graphiql-execute-button').click();
      const result = page.locator('.result-window');
      await result.getByText('"Luis"').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: '/tmp/playground.png' });

      const shown = JSON.parse((await result.innerText()).replace(/\u00a0/g, ' ').replace(/^\d+\n/gm, ''));
      expect(shown).toEqual({ data: { people: [{ name: 'Ana' }, { name: 'Luis' }] } });
      expect(blocked).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  });
});
