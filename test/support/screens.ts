// Pages as a person sees them, for the e2e tests: a tab signed in as any
// user (a fresh session cookie, no sign-in form) at a given screen size, a
// full-page (or screen-only) screenshot in test-output/e2e/ for a person to look at, and the
// check that nothing is wider than the screen (a phone scrolling sideways
// hides the end of every line).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import type { TestServer } from './test-server';

export const SCREENSHOTS = path.resolve('test-output/e2e');
export const DESKTOP = { width: 1280, height: 900 };
/** An ordinary phone held upright (CSS pixels) */
export const PHONE = { width: 390, height: 844 };

export async function openSignedIn(browser: Browser, server: TestServer, userId: string, urlPath: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const { token } = await createSession(server.node.db, { userId, ttlHours: 2 });
  await context.addCookies([{ name: SESSION_COOKIE_NAME, value: token, url: server.url }]);
  const page = await context.newPage();
  await page.goto(`${server.url}${urlPath}`);
  return page;
}

/** The whole page; `{ fullPage: false }` the screen only (a fixed overlay, e.g. a dialog, is drawn where the user sees it) */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? true });
}

/**
 * The elements that reach past the right edge of the screen (none on a page
 * that fits), each as tag.class "text…" and how far it reaches, for the
 * assertion message.
 */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>('body *')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 1) continue;
      // Inside a box that scrolls on its own (or clips), it does not widen the page
      let clipped = false;
      for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
        const overflowX = getComputedStyle(parent).overflowX;
        if (overflowX !== 'visible' && parent.getBoundingClientRect().right <= width + 1) {
          clipped = true;
          break;
        }
      }
      if (clipped) continue;
      const name = `${element.tagName.toLowerCase()}${element.className && typeof element.className === 'string' ? `.${element.className.split(' ')[0]}` : ''}`;
      found.push(`${name} "${(element.textContent ?? '').trim().slice(0, 40)}" ends at ${Math.round(box.right)} px of ${width}`);
    }
    return found;
  });
}
