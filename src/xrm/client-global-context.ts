/**
 * `ClientGlobalContext.js.aspx` on demand, for HTML pages.
 *
 * Hosted in a form or dialog, a page gets the parent's complete `Xrm` and must not load the
 * global context script (it is slow and replaces nothing). Opened on its own (the solution's
 * configuration node, a new window, the site map), there is no parent `Xrm`: only then the page
 * adds `<script src="../../ClientGlobalContext.js.aspx">` (relative: from `lmi_/pages/` up to the
 * web resources root) and waits for it, which defines `GetGlobalContext()`.
 */
import { resolvePageXrm, type PageXrm } from "./page-context";

/** Relative to a page under `lmi_/pages/`. */
const CLIENT_GLOBAL_CONTEXT_SRC = "../../ClientGlobalContext.js.aspx";

/** Adds a script element and resolves true once it has run, false when it fails or times out. */
function addScript(doc: Document, src: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const script = doc.createElement("script");
    const timer = setTimeout(() => resolve(false), timeoutMs);
    script.addEventListener("load", () => {
      clearTimeout(timer);
      resolve(true);
    });
    script.addEventListener("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
    script.src = src;
    (doc.head ?? doc.documentElement).appendChild(script);
  });
}

/**
 * The page's way to the Client API: the parent `Xrm` when hosted; otherwise the global context
 * from `ClientGlobalContext.js.aspx`, loaded now; `kind: "none"` when neither is available (the
 * page was opened outside Dynamics 365).
 */
export async function resolvePageXrmWithGlobalContext(win: Window = window, src = CLIENT_GLOBAL_CONTEXT_SRC, timeoutMs = 20_000): Promise<PageXrm> {
  const first = resolvePageXrm(win);
  if (first.kind !== "none") return first;
  await addScript(win.document, src, timeoutMs);
  return resolvePageXrm(win);
}
