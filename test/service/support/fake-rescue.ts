/**
 * LogMeIn Rescue's API as the PIN broker meets it: an HTTPS server on 127.0.0.1 (the test's
 * self-signed certificate) answering `POST /API/<method>.aspx` form bodies with plain text on
 * HTTP 200, modelled on reference/rescue-api.md:
 *
 * - `requestAuthCodeSSO(ssoid, pwd, company)`: `INVALIDPARAM_COMPANY` for a company id that is not
 *   digits, `INVALID` unless the company id, the company's SSO password and a known SSO id match;
 *   else `OK AUTHCODE: <code>`, and the technician's previous auth code stops working;
 * - `requestPINCode`: `INVALID_SECRETAUTHCODE` unless the auth code is the technician's current
 *   one; `POLLRATEEXCEEDED` within a second of the previous PIN when `enforcePollRate` is on;
 *   else `OK PINCODE:<6 digits>` (zero-padded, counting up from 000001);
 * - `getAccount(authcode)`: `OK AccountID:… TechID:<id> Email:…`.
 *
 * Replies can be scripted per method (a body, another HTTP status with headers, a connection that
 * hangs or is dropped, any of these — or the modelled answer — after a delay); every call is
 * recorded with its raw body and the body answered.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TestCertificate } from "./self-signed-cert";

export type ScriptedReply = string | { status: number; body?: string; headers?: Record<string, string> } | { transport: "hang" | "drop" } | { delayMs: number; reply?: ScriptedReply };
export const HANG: ScriptedReply = { transport: "hang" };
export const DROP: ScriptedReply = { transport: "drop" };

export interface RescueCall {
  /** `requestPINCode`, `requestAuthCodeSSO`, `getAccount`, or the unknown file name. */
  method: string;
  httpMethod: string;
  path: string;
  contentType: string;
  rawBody: string;
  /** The form fields in the order sent. */
  fieldNames: string[];
  fields: Record<string, string>;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** The body Rescue answered with (absent while a connection hangs, or when it was dropped). */
  reply?: string;
}

export interface FakeTechnician {
  techId: string;
  email: string;
}

export class FakeRescue {
  readonly calls: RescueCall[] = [];
  /** TLS connections accepted so far (keep-alive shows as fewer connections than calls). */
  connections = 0;
  companyId = "4711";
  ssoPassword = "Company-SSO-Pa55 wörd&=";
  /** One PIN per second per technician, as Rescue enforces. Off by default to keep tests fast. */
  enforcePollRate = false;
  /** SSO id (lower case) → technician. */
  readonly technicians = new Map<string, FakeTechnician>();
  private readonly currentCode = new Map<string, string>();
  private readonly lastPinAt = new Map<string, number>();
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private readonly sockets = new Set<Socket>();
  private readonly hung: ServerResponse[] = [];
  private server: https.Server | null = null;
  private port = 0;
  private pins = 0;

  constructor(private readonly certificate: TestCertificate) {}

  /** `lmi_endpoint` pointing at this fake. */
  get endpoint(): string {
    return `https://127.0.0.1:${this.port}/API`;
  }

  /** The `host:port` entry for `RESCUE_ALLOWED_HOSTS`. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = https.createServer({ cert: this.certificate.certPem, key: this.certificate.keyPem }, (req, res) => this.receive(req, res));
    server.on("connection", (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }

  /** A technician Rescue knows by this SSO id. */
  addTechnician(ssoId: string, techId: string, email = ssoId): FakeTechnician {
    const technician = { techId, email };
    this.technicians.set(ssoId.toLowerCase(), technician);
    return technician;
  }

  /** The technician's current auth code, as if obtained earlier (and stored by an admin or a previous PIN). */
  issueAuthCode(ssoId: string): string {
    const code = `ac-${randomBytes(12).toString("base64url")}`;
    this.currentCode.set(ssoId.toLowerCase(), code);
    return code;
  }

  /** Queues replies for the next calls of `method`, before the modelled behaviour applies again. */
  reply(method: string, ...replies: ScriptedReply[]): void {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...replies]);
  }

  callsTo(method: string): RescueCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  reset(): void {
    this.calls.length = 0;
    this.scripts.clear();
    this.lastPinAt.clear();
    this.connections = 0;
    for (const response of this.hung.splice(0)) response.destroy();
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      const form = new URLSearchParams(rawBody);
      const method = /^\/API\/(\w+)\.aspx$/.exec(path)?.[1] ?? path;
      const call: RescueCall = {
        method,
        httpMethod: req.method ?? "",
        path,
        contentType: String(req.headers["content-type"] ?? ""),
        rawBody,
        fieldNames: [...form.keys()],
        fields: Object.fromEntries(form),
        at: Date.now(),
      };
      this.calls.push(call);
      const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
        call.reply = body;
        this.send(res, status, body, headers);
      };
      const modelled = (): void => {
        if (req.method !== "POST") return send(405, "ERROR");
        const fields = Object.fromEntries(form);
        if (method === "requestAuthCodeSSO") return send(200, this.authCode(fields));
        if (method === "requestPINCode") return send(200, this.pinCode(fields));
        if (method === "getAccount") return send(200, this.account(fields));
        return send(404, "<html><body>404 Not Found</body></html>");
      };
      const scripted = this.scripts.get(method)?.shift();
      if (scripted !== undefined) this.answerScripted(res, scripted, send, modelled);
      else modelled();
    });
  }

  private authCode(fields: Record<string, string>): string {
    const { ssoid = "", pwd = "", company = "" } = fields;
    if (!/^\d+$/.test(company)) return "INVALIDPARAM_COMPANY";
    if (company !== this.companyId || pwd !== this.ssoPassword || !this.technicians.has(ssoid.toLowerCase())) return "INVALID";
    return `OK AUTHCODE: ${this.issueAuthCode(ssoid)}\r\n`;
  }

  private pinCode(fields: Record<string, string>): string {
    const ssoId = this.ssoIdOf(fields.authcode ?? "");
    if (ssoId === undefined) return "INVALID_SECRETAUTHCODE";
    const now = Date.now();
    const last = this.lastPinAt.get(ssoId);
    if (this.enforcePollRate && last !== undefined && now - last < 1000) return "POLLRATEEXCEEDED";
    this.lastPinAt.set(ssoId, now);
    this.pins += 1;
    return `OK PINCODE:${String(this.pins % 1_000_000).padStart(6, "0")}\r\n`;
  }

  private account(fields: Record<string, string>): string {
    const ssoId = this.ssoIdOf(fields.authcode ?? "");
    const technician = ssoId === undefined ? undefined : this.technicians.get(ssoId);
    if (technician === undefined) return "INVALID_SECRETAUTHCODE";
    return `OK AccountID:77 Organization:Contoso Support AdminID:0 TechID:${technician.techId} Email:${technician.email}`;
  }

  private ssoIdOf(authCode: string): string | undefined {
    for (const [ssoId, code] of this.currentCode) if (code === authCode && authCode !== "") return ssoId;
    return undefined;
  }

  /** A scripted reply; `{ delayMs }` without a reply answers as modelled, only later. */
  private answerScripted(res: ServerResponse, reply: ScriptedReply, send: (status: number, body: string, headers?: Record<string, string>) => void, modelled: () => void): void {
    if (typeof reply === "string") return send(200, reply);
    if ("status" in reply) return send(reply.status, reply.body ?? "", reply.headers);
    if ("delayMs" in reply) {
      const then = reply.reply;
      const timer = setTimeout(() => (then === undefined ? modelled() : this.answerScripted(res, then, send, modelled)), reply.delayMs);
      res.on("close", () => clearTimeout(timer));
      return;
    }
    if (reply.transport === "drop") {
      res.socket?.destroy();
      return;
    }
    this.hung.push(res);
  }

  private send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
    res.end(body);
  }
}
