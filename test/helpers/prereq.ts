import { existsSync } from 'node:fs';

/**
 * Tests that need something outside the repository (a browser, public benchmark files) skip on a
 * developer's machine that lacks it, and FAIL when CI is set: a CI run must not stay green with
 * fewer tests. Use `skipUnless(ok)` in `describe.skipIf` / `it.skipIf`, and `requirePrereq(ok, why)`
 * first in the suite (or test), so that under CI the missing prerequisite is the failure's message.
 */

export function skipUnless(ok: boolean): boolean {
  return !ok && !process.env.CI;
}

export function requirePrereq(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what} (CI is set, so this test fails instead of skipping)`);
}

/** Where Chromium is looked for: PILLARS_CHROMIUM, then the usual install paths. */
export function chromiumCandidates(env: Record<string, string | undefined> = process.env): string[] {
  return [
    env.PILLARS_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome',
    '/snap/bin/chromium',
    '/opt/google/chrome/chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ].filter((p): p is string => Boolean(p));
}

/**
 * The Chromium binary for browser tests. PILLARS_CHROMIUM, when set, must exist (a wrong path is
 * not silently replaced by another browser).
 */
export function findChromium(env: Record<string, string | undefined> = process.env, exists: (p: string) => boolean = existsSync): string | undefined {
  if (env.PILLARS_CHROMIUM) return exists(env.PILLARS_CHROMIUM) ? env.PILLARS_CHROMIUM : undefined;
  return chromiumCandidates(env).find(exists);
}

export const CHROMIUM = findChromium();

/** `describe.skipIf(SKIP_BROWSER)`: no Chromium and not CI. */
export const SKIP_BROWSER = skipUnless(CHROMIUM !== undefined);

/** First thing in a browser suite's beforeAll: the binary, or under CI a failure that says why. */
export function chromiumPath(): string {
  requirePrereq(
    CHROMIUM !== undefined,
    process.env.PILLARS_CHROMIUM
      ? `PILLARS_CHROMIUM=${process.env.PILLARS_CHROMIUM} does not exist`
      : `Chromium not found (looked at ${chromiumCandidates().join(', ')}): install Debian's chromium or set PILLARS_CHROMIUM`,
  );
  return CHROMIUM!;
}
