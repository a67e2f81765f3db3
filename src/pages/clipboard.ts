/**
 * Copy to the clipboard from inside a page's iframe (PIN dialog, configuration page). The async
 * Clipboard API needs the `clipboard-write` permission, which a host iframe may not grant; the
 * fallback copies a selected, off-screen text area (allowed during the click that asked for it)
 * and gives focus back. Resolves to whether the text was copied.
 */
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  const clipboard = doc.defaultView?.navigator.clipboard;
  if (clipboard) {
    try {
      await clipboard.writeText(text);
      return true;
    } catch {
      // permission denied or not focused: try the fallback
    }
  }
  const active = doc.activeElement as HTMLElement | null;
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.setAttribute("aria-hidden", "true");
  area.style.position = "fixed";
  area.style.left = "-10000px";
  doc.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = doc.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  active?.focus();
  return copied;
}
