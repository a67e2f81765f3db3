/**
 * Real Chromium for page tests, driven by playwright-core (which downloads no browser itself).
 * The browser is found by `findChromium`: `CHROMIUM_PATH`, then the usual install locations
 * (Debian/Ubuntu, Google Chrome, macOS applications, playwright's own browser cache). Every page is
 * served from 127.0.0.1; Chromium's own background traffic is switched off so no other address is
 * ever contacted.
 */
import { accessSync, constants, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Frame } from "playwright-core";
import { parseResx } from "../../src/strings/resx";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-quic",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
];

/** The one line a developer without a browser reads. */
export const NO_CHROMIUM_MESSAGE =
  "No Chromium found for the page tests: on Debian run `sudo apt-get install -y chromium`, on Ubuntu, macOS and others `npx playwright-core install --with-deps chromium`, or set CHROMIUM_PATH to a Chromium or Google Chrome executable.";

/** Fixed install locations, most specific first. */
const SYSTEM_LOCATIONS: Readonly<Record<string, readonly string[]>> = {
  linux: ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome-stable", "/usr/bin/google-chrome", "/opt/google/chrome/chrome", "/snap/bin/chromium"],
  darwin: [
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
  ],
};

/** Where playwright's own `install chromium` puts the browser, under a `chromium-<revision>` folder of its cache. */
const PLAYWRIGHT_EXECUTABLES: Readonly<Record<string, readonly string[]>> = {
  linux: ["chrome-linux64/chrome", "chrome-linux-arm64/chrome", "chrome-linux/chrome"],
  darwin: [
    "chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
    "chrome-mac-x64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
    "chrome-mac/Chromium.app/Contents/MacOS/Chromium",
  ],
};

export interface ChromiumSearch {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  platform: string;
  isExecutable: (path: string) => boolean;
  listDir: (path: string) => string[];
}

function playwrightCache(search: ChromiumSearch): string {
  if (search.env.PLAYWRIGHT_BROWSERS_PATH) return search.env.PLAYWRIGHT_BROWSERS_PATH;
  if (search.platform === "darwin") return join(search.home, "Library", "Caches", "ms-playwright");
  // An empty XDG_CACHE_HOME counts as unset (XDG Base Directory specification).
  const xdgCache = search.env.XDG_CACHE_HOME;
  if (xdgCache !== undefined && xdgCache !== "") return join(xdgCache, "ms-playwright");
  return join(search.home, ".cache", "ms-playwright");
}

/** Every place looked at, in order (CHROMIUM_PATH is handled by `findChromium`). */
export function chromiumCandidates(search: ChromiumSearch): string[] {
  const cache = playwrightCache(search);
  let revisions: string[];
  try {
    // Newest revision first: chromium-1255 before chromium-1200.
    revisions = search
      .listDir(cache)
      .filter((name) => /^chromium-\d+$/.test(name))
      .sort((a, b) => Number(b.slice(9)) - Number(a.slice(9)));
  } catch {
    revisions = [];
  }
  const cached = revisions.flatMap((revision) => (PLAYWRIGHT_EXECUTABLES[search.platform] ?? []).map((executable) => join(cache, revision, executable)));
  return [...(SYSTEM_LOCATIONS[search.platform] ?? []), ...cached];
}

/** The Chromium to use, or an Error whose message is one line saying what to do. */
export function findChromium(search: ChromiumSearch): string | Error {
  const configured = search.env.CHROMIUM_PATH;
  if (configured) {
    return search.isExecutable(configured) ? configured : new Error(`CHROMIUM_PATH is set to ${configured}, which is not an executable file: correct it, or unset it to look in the usual places.`);
  }
  return chromiumCandidates(search).find((path) => search.isExecutable(path)) ?? new Error(NO_CHROMIUM_MESSAGE);
}

export function thisMachine(): ChromiumSearch {
  return {
    env: process.env,
    home: homedir(),
    platform: process.platform,
    isExecutable: (path) => {
      try {
        accessSync(path, constants.X_OK);
        return statSync(path).isFile();
      } catch {
        return false;
      }
    },
    listDir: (path) => readdirSync(path),
  };
}

export async function launchChromium(): Promise<Browser> {
  const found = findChromium(thisMachine());
  if (found instanceof Error) throw found;
  return chromium.launch({ executablePath: found, args: CHROMIUM_ARGS, headless: true });
}

/** axe-core's browser build, to inject into a page under test for an accessibility scan. */
export function axeSource(): string {
  return readFileSync(resolve(import.meta.dirname, "../../node_modules/axe-core/axe.min.js"), "utf8");
}

/**
 * Text a person sees or hears in `frame` that looks like a string key instead of a string: a word
 * starting with one of the RESX keys' first parts ("Common.", "Config.", "Pin.", …) followed by
 * more dotted parts, such as `Common.Save`. Looks at the rendered text (including text only screen
 * readers get), the document title, and the attributes that are shown or spoken (title,
 * placeholder, aria-label, alt, button values).
 */
export async function stringKeysShown(frame: Frame): Promise<string[]> {
  const english = parseResx(readFileSync(resolve(import.meta.dirname, "../../webresources/lmi_/strings/Strings.1033.resx"), "utf8"));
  const prefixes = [...new Set([...english.keys()].map((key) => key.split(".")[0] ?? ""))].filter(Boolean);
  const keyLike = new RegExp(`\\b(?:${prefixes.join("|")})(?:\\.[A-Za-z0-9_]+)+`, "g");
  const texts = await frame.evaluate(() => {
    const shown: string[] = [document.title, document.body.innerText];
    for (const element of Array.from(document.querySelectorAll("[title], [placeholder], [aria-label], [alt], input[type=button], input[type=submit]"))) {
      for (const attribute of ["title", "placeholder", "aria-label", "alt", "value"]) {
        const value = element.getAttribute(attribute);
        if (value) shown.push(value);
      }
    }
    return shown;
  });
  return texts.flatMap((text) => text.match(keyLike) ?? []);
}
