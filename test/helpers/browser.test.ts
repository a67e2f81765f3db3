/**
 * Finding Chromium for the page tests: CHROMIUM_PATH first, then the usual install locations in
 * order, then playwright's cache (newest revision first); nothing found is one line saying what
 * to do. Checked against a made-up file system, so the result does not depend on this machine.
 */
import { describe, expect, it } from "vitest";
import { findChromium, NO_CHROMIUM_MESSAGE, type ChromiumSearch } from "./browser";

function machine(platform: string, executables: string[], env: Record<string, string> = {}, dirs: Record<string, string[]> = {}): ChromiumSearch {
  return {
    env,
    home: platform === "darwin" ? "/Users/dev" : "/home/dev",
    platform,
    isExecutable: (path) => executables.includes(path),
    listDir: (path) => {
      const entries = dirs[path];
      if (!entries) throw new Error(`ENOENT: ${path}`);
      return entries;
    },
  };
}

describe("findChromium", () => {
  it("takes CHROMIUM_PATH before anything installed", () => {
    expect(findChromium(machine("linux", ["/usr/bin/chromium", "/opt/chromium/chrome"], { CHROMIUM_PATH: "/opt/chromium/chrome" }))).toBe("/opt/chromium/chrome");
  });

  it("says so when CHROMIUM_PATH points at nothing, instead of quietly using another browser", () => {
    const found = findChromium(machine("linux", ["/usr/bin/chromium"], { CHROMIUM_PATH: "/opt/missing/chrome" }));
    expect(found).toBeInstanceOf(Error);
    expect((found as Error).message).toBe("CHROMIUM_PATH is set to /opt/missing/chrome, which is not an executable file: correct it, or unset it to look in the usual places.");
  });

  it.each([
    ["Debian's chromium", ["/usr/bin/chromium", "/usr/bin/google-chrome"], "/usr/bin/chromium"],
    ["Ubuntu's chromium-browser", ["/usr/bin/chromium-browser", "/usr/bin/google-chrome"], "/usr/bin/chromium-browser"],
    ["Google Chrome stable", ["/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome"], "/usr/bin/google-chrome-stable"],
    ["Google Chrome's own folder", ["/opt/google/chrome/chrome"], "/opt/google/chrome/chrome"],
  ])("finds %s on Linux", (_, executables, expected) => {
    expect(findChromium(machine("linux", executables))).toBe(expected);
  });

  it("finds playwright's newest cached Chromium on Linux (~/.cache, XDG_CACHE_HOME or PLAYWRIGHT_BROWSERS_PATH)", () => {
    const cache = "/home/dev/.cache/ms-playwright";
    const dirs = { [cache]: ["chromium-1200", "chromium_headless_shell-1255", "chromium-1255", "ffmpeg-1011"] };
    const executables = [`${cache}/chromium-1200/chrome-linux/chrome`, `${cache}/chromium-1255/chrome-linux64/chrome`];
    expect(findChromium(machine("linux", executables, {}, dirs))).toBe(`${cache}/chromium-1255/chrome-linux64/chrome`);
    expect(findChromium(machine("linux", [`${cache}/chromium-1200/chrome-linux/chrome`], {}, dirs))).toBe(`${cache}/chromium-1200/chrome-linux/chrome`);
    const xdg = machine("linux", ["/xdg/ms-playwright/chromium-1255/chrome-linux64/chrome"], { XDG_CACHE_HOME: "/xdg" }, { "/xdg/ms-playwright": ["chromium-1255"] });
    expect(findChromium(xdg)).toBe("/xdg/ms-playwright/chromium-1255/chrome-linux64/chrome");
    const custom = machine("linux", ["/browsers/chromium-1255/chrome-linux64/chrome"], { PLAYWRIGHT_BROWSERS_PATH: "/browsers" }, { "/browsers": ["chromium-1255"] });
    expect(findChromium(custom)).toBe("/browsers/chromium-1255/chrome-linux64/chrome");
  });

  it("finds Chromium, Google Chrome or playwright's Chrome for Testing on macOS", () => {
    expect(findChromium(machine("darwin", ["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"]))).toBe("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
    const cache = "/Users/dev/Library/Caches/ms-playwright";
    const cached = `${cache}/chromium-1255/chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing`;
    expect(findChromium(machine("darwin", [cached], {}, { [cache]: ["chromium-1255"] }))).toBe(cached);
  });

  it("fails with one line saying how to install one when there is none", () => {
    const found = findChromium(machine("linux", [], {}, { "/home/dev/.cache/ms-playwright": ["firefox-1572"] }));
    expect(found).toBeInstanceOf(Error);
    expect((found as Error).message).toBe(NO_CHROMIUM_MESSAGE);
    expect(NO_CHROMIUM_MESSAGE).not.toContain("\n");
    expect(NO_CHROMIUM_MESSAGE).toMatch(/apt-get install -y chromium.*playwright-core install --with-deps chromium.*CHROMIUM_PATH/);
  });
});
