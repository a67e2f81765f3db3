/**
 * LogMeIn Rescue, faked at the HTTP level: a real `node:http` server on 127.0.0.1 that parses the
 * form bodies the client posts to `/API/<method>.aspx` and answers like Rescue (plain text on
 * HTTP 200). Replies are scripted per method; every call is recorded. For browser tests it can
 * allow one page origin (`allowOrigin`), as the integration service's Rescue relay does for the
 * Dynamics origin.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type RescueReply =
  | string
  /** Answer with another HTTP status. */
  | { status: number; body?: string }
  /** Never answer (for timeouts) or drop the connection without an answer (a network failure). */
  | { transport: "hang" | "drop" };

export const HANG: RescueReply = { transport: "hang" };
export const DROP: RescueReply = { transport: "drop" };

export interface RescueCall {
  method: string;
  httpMethod: string;
  url: string;
  contentType: string;
  /** The Origin header ("" when none: calls from Node). */
  origin: string;
  rawBody: string;
  fields: Record<string, string>;
  /** performance.now() when the request arrived. */
  at: number;
}

export const DEFAULT_REPLIES: Readonly<Record<string, RescueReply>> = {
  requestPINCode: "OK PINCODE:012345\r\n",
  requestAuthCodeSSO: "OK AUTHCODE: fresh-auth-code-7f3e9a\r\n",
  getAccount: "OK AccountID:7 Organization:Contoso Support AdminID:0 TechID:4242 Email:dana@contoso.com",
};

export class RescueFake {
  readonly calls: RescueCall[] = [];
  private readonly queues = new Map<string, RescueReply[]>();
  private readonly sockets = new Set<Socket>();
  private readonly hung: ServerResponse[] = [];
  private server: Server | undefined;
  endpoint = "";
  defaults: Record<string, RescueReply> = { ...DEFAULT_REPLIES };
  /** When set, answers carry `Access-Control-Allow-Origin: <allowOrigin>` (no preflight is answered). */
  allowOrigin: string | undefined;

  /** Queues replies for the next calls of `method` (then the default answers again). */
  reply(method: string, ...replies: RescueReply[]): this {
    this.queues.set(method, [...(this.queues.get(method) ?? []), ...replies]);
    return this;
  }

  callsTo(method: string): RescueCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Answers the requests that were left hanging. */
  answerHung(body: string): void {
    for (const response of this.hung.splice(0)) {
      response.writeHead(200, this.headers());
      response.end(body);
    }
  }

  private headers(): Record<string, string> {
    return { "content-type": "text/plain; charset=utf-8", ...(this.allowOrigin && { "access-control-allow-origin": this.allowOrigin }) };
  }

  /** Resolves once `count` calls of `method` have arrived. */
  async waitForCalls(method: string, count = 1): Promise<void> {
    while (this.callsTo(method).length < count) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  reset(): void {
    this.calls.length = 0;
    this.queues.clear();
    this.defaults = { ...DEFAULT_REPLIES };
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        const url = request.url ?? "/";
        const method = /\/API\/(\w+)\.aspx$/i.exec(new URL(url, "http://127.0.0.1").pathname)?.[1] ?? "";
        this.calls.push({
          method,
          httpMethod: request.method ?? "",
          url,
          contentType: request.headers["content-type"] ?? "",
          origin: request.headers.origin ?? "",
          rawBody,
          fields: Object.fromEntries(new URLSearchParams(rawBody)),
          at: performance.now(),
        });
        const reply = this.queues.get(method)?.shift() ?? this.defaults[method] ?? "ERROR";
        if (typeof reply === "object" && "transport" in reply && reply.transport === "hang") {
          this.hung.push(response);
          return;
        }
        if (typeof reply === "object" && "transport" in reply) {
          request.socket.destroy();
          return;
        }
        const { status, body } = typeof reply === "string" ? { status: 200, body: reply } : (reply);
        response.writeHead(status, this.headers());
        response.end(body ?? "");
      });
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/API`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
