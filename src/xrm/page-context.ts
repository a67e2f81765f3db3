/**
 * How an HTML web resource (PIN dialog, configuration page) reaches the Client API.
 *
 * Hosted in a dialog or form (navigateTo, solution configuration node), the parent window's `Xrm`
 * is there and complete (WebApi, Navigation, Utility). Opened on its own (site map, new window),
 * the page loads `ClientGlobalContext.js.aspx` by a relative path and only has
 * `GetGlobalContext()`: the context (client URL, user, language) but no WebApi.
 */

export type PageXrm =
  | { kind: "parent"; xrm: Xrm.XrmStatic; context: Xrm.GlobalContext }
  | { kind: "globalContext"; xrm: null; context: Xrm.GlobalContext }
  | { kind: "none"; xrm: null; context: null };

interface WindowWithXrm {
  Xrm?: Xrm.XrmStatic;
  GetGlobalContext?: () => Xrm.GlobalContext;
}

/** Reads `window.parent.Xrm` (tolerating cross-origin parents), then `GetGlobalContext`. */
export function resolvePageXrm(win: Window = window): PageXrm {
  let parentXrm: Xrm.XrmStatic | undefined;
  try {
    parentXrm = win.parent !== win ? (win.parent as unknown as WindowWithXrm).Xrm : undefined;
  } catch {
    parentXrm = undefined; // a cross-origin parent: not Dynamics
  }
  if (parentXrm?.Utility && parentXrm.WebApi) {
    return { kind: "parent", xrm: parentXrm, context: parentXrm.Utility.getGlobalContext() };
  }
  const own = win as unknown as WindowWithXrm;
  if (typeof own.GetGlobalContext === "function") {
    return { kind: "globalContext", xrm: null, context: own.GetGlobalContext() };
  }
  return { kind: "none", xrm: null, context: null };
}
