/**
 * The few DOM helpers the HTML pages (configuration page, PIN dialog) draw with. Values are
 * always set as properties or text, never as HTML.
 */

/** Finds an element the page's HTML must have; a missing one is a packaging fault, so it throws. */
export function requireElement<T extends HTMLElement = HTMLElement>(doc: Document, id: string): T {
  const element = doc.getElementById(id);
  if (!element) throw new Error(`The page has no element #${id}`);
  return element as T;
}

/** A new element with properties (`className`, `textContent`, `htmlFor`, …) and children. */
export function createElement<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, properties: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const element = Object.assign(doc.createElement(tag), properties);
  element.append(...children);
  return element;
}

/** Writes text only when it differs, so that a live region is not announced again for nothing. */
export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Sets `attribute="true"` or removes it (`aria-invalid`, `aria-disabled`, `aria-busy`). */
export function setFlag(element: HTMLElement, attribute: string, on: boolean): void {
  if (on) element.setAttribute(attribute, "true");
  else element.removeAttribute(attribute);
}
