/**
 * Everything a browser context could see or show, collected for the "no secret reaches the browser"
 * checks of the end-to-end test:
 * - every request the pages send (URL, every header, body) and every response they get (status,
 *   every header, body), from playwright's events — the built scripts, the dialog page, the RESX
 *   files, the integration service's answers;
 * - every request Chromium's network stack puts on the wire for a watched page, CORS preflights
 *   included (playwright's events leave those out), from the DevTools protocol;
 * - the `Xrm.WebApi` calls and the answers the page got (support/agent-web-api.ts records them;
 *   they cross into the page through `exposeFunction`, not over the network);
 * - every console line and uncaught page error;
 * - DOM snapshots the test takes (the Case page and the dialog frame: markup and rendered text).
 *
 * `findSecrets` looks for a secret as it is and as it would look URL-, form-, JSON-, HTML- or
 * base64-encoded.
 */
import type { BrowserContext, Frame, Page } from "playwright-core";

export interface VisibleText {
  /** Where it was seen, e.g. "response body GET http://127.0.0.1:…/api/pin". */
  where: string;
  text: string;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SeenResponse {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A request as Chromium sent it (`initiator` "preflight" for a CORS preflight). */
export interface WireRequest {
  initiator: string;
  method: string;
  url: string;
  headers: Record<string, string>;
}

export class BrowserVisible {
  readonly requests: SeenRequest[] = [];
  readonly wire: WireRequest[] = [];
  readonly responses: SeenResponse[] = [];
  readonly consoleLines: string[] = [];
  readonly pageErrors: string[] = [];
  readonly dom: VisibleText[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly extra: (() => VisibleText[])[] = [];

  /** Starts collecting from every page of `context` (call before the first page opens). */
  attach(context: BrowserContext): void {
    context.on("request", (request) => {
      this.pending.push(
        (async () => {
          const headers = await request.allHeaders();
          this.requests.push({ method: request.method(), url: request.url(), headers, body: request.postData() ?? "" });
        })(),
      );
    });
    context.on("response", (response) => {
      this.pending.push(
        (async () => {
          const headers = await response.allHeaders();
          let body: string;
          try {
            body = (await response.body()).toString("utf8");
          } catch {
            body = ""; // no body (a redirect, or a frame gone meanwhile)
          }
          this.responses.push({ method: response.request().method(), url: response.url(), status: response.status(), headers, body });
        })(),
      );
    });
    context.on("console", (message) => this.consoleLines.push(`${message.type()}: ${message.text()}`));
    context.on("weberror", (error) => this.pageErrors.push(String(error.error())));
  }

  /** Records every request `page` (and its same-origin frames) sends, CORS preflights included. */
  async watchWire(context: BrowserContext, page: Page): Promise<void> {
    const cdp = await context.newCDPSession(page);
    cdp.on("Network.requestWillBeSent", (event) => {
      this.wire.push({ initiator: event.initiator.type, method: event.request.method, url: event.request.url, headers: event.request.headers });
    });
    await cdp.send("Network.enable");
  }

  /** "METHOD /path" of every request put on the wire to `origin`, in order. */
  wireTo(origin: string): string[] {
    return this.wire.filter((request) => new URL(request.url).origin === origin).map((request) => `${request.method} ${new URL(request.url).pathname}`);
  }

  /** Adds another source of browser-visible text (read when `texts` is called). */
  include(source: () => VisibleText[]): void {
    this.extra.push(source);
  }

  /** Snapshots a page's or frame's markup and rendered text. */
  async snapshot(label: string, target: Page | Frame): Promise<void> {
    this.dom.push({ where: `DOM of ${label}`, text: await target.content() });
    this.dom.push({ where: `text of ${label}`, text: await target.evaluate(() => document.body.innerText) });
  }

  /** Waits until every request and response seen so far has been read. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  /** Requests to `origin` (scheme, host and port). */
  requestsTo(origin: string): SeenRequest[] {
    return this.requests.filter((request) => new URL(request.url).origin === origin);
  }

  responsesFrom(origin: string): SeenResponse[] {
    return this.responses.filter((response) => new URL(response.url).origin === origin);
  }

  texts(): VisibleText[] {
    const headerText = (headers: Record<string, string>): string => Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join("\n");
    return [
      ...this.requests.flatMap((r) => [
        { where: `request URL ${r.method} ${r.url}`, text: r.url },
        { where: `request headers ${r.method} ${r.url}`, text: headerText(r.headers) },
        { where: `request body ${r.method} ${r.url}`, text: r.body },
      ]),
      ...this.wire.flatMap((r) => [
        { where: `wire URL ${r.method} ${r.url}`, text: r.url },
        { where: `wire headers ${r.method} ${r.url}`, text: headerText(r.headers) },
      ]),
      ...this.responses.flatMap((r) => [
        { where: `response headers ${r.method} ${r.url}`, text: headerText(r.headers) },
        { where: `response body ${r.method} ${r.url}`, text: r.body },
      ]),
      ...this.consoleLines.map((line) => ({ where: "console", text: line })),
      ...this.pageErrors.map((error) => ({ where: "page error", text: error })),
      ...this.dom,
      ...this.extra.flatMap((source) => source()),
    ];
  }
}

/** The ways `secret` could appear in a URL, a form or JSON body, HTML, or a Basic/base64 value. */
export function secretForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const html = secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2), json, html, Buffer.from(secret, "utf8").toString("base64")];
  return [...new Set(forms)];
}

/** "<name> in <where>" for every secret found in `texts`, in any of its `secretForms`. */
export function findSecrets(texts: readonly VisibleText[], secrets: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    if (secret.length < 4) throw new Error(`secret ${name} is too short to look for`);
    const forms = secretForms(secret);
    for (const { where, text } of texts) if (forms.some((form) => text.includes(form))) found.push(`${name} in ${where}`);
  }
  return found;
}
