/**
 * One browser test file's world: `wrangler dev` with fresh local storage and
 * Chromium, started before the file's tests and stopped after them; every
 * page a test opens (pushed on `pages`) is checked for script errors and
 * closed after the test.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { launchChromium, newPage, pageErrors, signIn } from "./browser";
import { Api } from "./partner";
import { startServer, type TestServer } from "./server";

export interface BrowserSuite {
  server: TestServer;
  browser: Browser;
  api: Api;
  /** The pages the current test opened. */
  pages: Page[];
  /** A new page of the current test, signed in to the console at `hash`. */
  openConsole: (hash?: string, viewport?: { width: number; height: number }) => Promise<Page>;
}

/** Registers the file's hooks; the fields are filled once its beforeAll ran. */
export function browserSuite(options: Parameters<typeof startServer>[0] = {}): BrowserSuite {
  const suite = { pages: [] as Page[] } as BrowserSuite;
  suite.openConsole = async (hash = "#/customers", viewport) => {
    const { page } = await newPage(suite.browser, suite.server.baseUrl, viewport);
    suite.pages.push(page);
    await signIn(page, suite.server.adminToken, hash);
    return page;
  };
  beforeAll(async () => {
    // Both awaited, each kept when it started: afterAll stops whichever is up, even when the other failed.
    const [server, browser] = await Promise.allSettled([startServer(options), launchChromium()]);
    if (server.status === "fulfilled") suite.server = server.value;
    if (browser.status === "fulfilled") suite.browser = browser.value;
    for (const started of [server, browser]) if (started.status === "rejected") throw started.reason;
    suite.api = new Api(suite.server.baseUrl, suite.server.adminToken);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  afterEach(async () => {
    for (const page of suite.pages.splice(0)) {
      expect(pageErrors(page), "script errors in the page").toEqual([]);
      await page.context().close();
    }
  });
  return suite;
}
