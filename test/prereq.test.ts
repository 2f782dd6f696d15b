import { describe, expect, it } from 'vitest';
import { chromiumCandidates, findChromium, requirePrereq, skipUnless } from './helpers/prereq.js';

describe('test prerequisites: skip locally, fail under CI', () => {
  it('skipUnless skips only when the prerequisite is missing and CI is not set', () => {
    const ci = process.env.CI;
    try {
      delete process.env.CI;
      expect(skipUnless(false)).toBe(true);
      expect(skipUnless(true)).toBe(false);
      process.env.CI = 'true';
      expect(skipUnless(false)).toBe(false);
      expect(() => requirePrereq(false, 'Chromium not found')).toThrow(/Chromium not found \(CI is set, so this test fails instead of skipping\)/);
      expect(() => requirePrereq(true, 'x')).not.toThrow();
    } finally {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
  });

  it('finds Chromium by PILLARS_CHROMIUM first, then the usual paths; a wrong PILLARS_CHROMIUM is not replaced', () => {
    const have = (...paths: string[]) => (p: string) => paths.includes(p);
    expect(findChromium({ PILLARS_CHROMIUM: '/opt/my/chrome' }, have('/opt/my/chrome', '/usr/bin/chromium'))).toBe('/opt/my/chrome');
    expect(findChromium({}, have('/usr/bin/chromium-browser', '/usr/bin/google-chrome'))).toBe('/usr/bin/chromium-browser');
    expect(findChromium({}, have('/usr/bin/google-chrome-stable'))).toBe('/usr/bin/google-chrome-stable');
    expect(findChromium({ PILLARS_CHROMIUM: '/nope' }, have('/usr/bin/chromium'))).toBeUndefined();
    expect(findChromium({}, have())).toBeUndefined();
    expect(chromiumCandidates({ PILLARS_CHROMIUM: '/x' })[0]).toBe('/x');
  });
});
