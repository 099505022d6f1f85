/**
 * Debian's chromium driven by playwright-core (no browser download), and the
 * few helpers the console tests share: a signed-in page, polling for what
 * the page shows, and screenshots for docs/console/ when asked for.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Flags that work on these machines (closed network, root, no GPU); playwright adds --headless and a fresh profile. */
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
/** Laptop and tablet (portrait) screens. */
export const LAPTOP = { width: 1280, height: 800 };
export const TABLET = { width: 768, height: 1024 };
/** Not Shanghai, so a page that formatted in the browser's zone would show other dates and times. */
const BROWSER_TIME_ZONE = "America/Los_Angeles";
const UI_TIMEOUT_MS = 15_000;

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "../../docs/console");
/** `CONSOLE_SCREENSHOTS=1 npx vitest run --project node test/node/console.test.ts` rewrites docs/console/*.png. */
const WRITE_SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === "1";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export async function newPage(browser: Browser, baseUrl: string, viewport = LAPTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: "zh-CN", timezoneId: BROWSER_TIME_ZONE });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  (page as PageWithProblems).problems = problems;
  return { context, page };
}

type PageWithProblems = Page & { problems: string[] };

/** Script errors the page raised (a test ends by checking there were none). */
export function pageErrors(page: Page): string[] {
  return (page as PageWithProblems).problems ?? [];
}

/** Opens the console at `hash` and signs in with `token`; resolves once the navigation shows. */
export async function signIn(page: Page, token: string, hash = "#/customers"): Promise<void> {
  await page.goto(`/console${hash}`);
  await page.getByLabel("管理令牌").fill(token);
  await page.getByRole("button", { name: "登录" }).click();
  await page.locator("#nav").waitFor({ state: "visible" });
}

/** What `locator` shows, once it is there. */
export function textOf(locator: Locator): Promise<string> {
  return locator.innerText({ timeout: UI_TIMEOUT_MS });
}

/** Waits until `locator` shows text containing `expected` (string or RegExp). */
export async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  await expect
    .poll(() => locator.innerText({ timeout: 1_000 }).catch(() => ""), { timeout: UI_TIMEOUT_MS, interval: 100 })
    .toMatch(typeof expected === "string" ? new RegExp(escapeRegExp(expected)) : expected);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The rows of the first list table in the page's main area, as their cells' text. */
export async function tableRows(scope: Locator): Promise<string[][]> {
  return scope.locator("table.list tbody tr").evaluateAll((rows) =>
    rows.map((row) => Array.from((row as unknown as { cells: ArrayLike<{ innerText: string }> }).cells, (cell) => cell.innerText.trim())),
  );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (!WRITE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: "disabled", caret: "hide" });
}

/** yuan as the console shows it: ¥1,234.50 */
export function shownYuan(amount: number): string {
  return `¥${new Intl.NumberFormat("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount)}`;
}

/** An instant as the console shows it, in Asia/Shanghai. */
export function shownShanghaiTime(iso: string): string {
  return new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  }).format(new Date(iso));
}

/** The console's view: everything below its navigation. */
export const consoleView = (page: Page): Locator => page.locator("#view");

/** The error slot of the field labelled `label` (in the page, or in a part of it). */
export const fieldError = (scope: Page | Locator, label: string): Locator => scope.locator("label.field", { hasText: label }).locator(".field-error");
