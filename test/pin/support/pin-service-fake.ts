/**
 * The integration service's PIN broker faked at the HTTP level for the Chromium tests: a real
 * `node:http` server on 127.0.0.1 (its own port, so another origin than the page) that answers
 * `POST /api/pin` with the protocol's JSON and `GET /healthz`, and answers CORS as the service does:
 * the preflight and every answer carry `Access-Control-Allow-Origin` for `allowOrigin` only
 * (null: for no origin, as when ALLOWED_ORIGIN names another one). Every request is recorded.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ServiceRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export class PinServiceFake {
  readonly requests: ServiceRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  url = "";
  /** The one origin CORS allows; null allows none. */
  allowOrigin: string | null = null;
  /** The answer to `POST /api/pin`. */
  answer: { status: number; json: unknown } = { status: 200, json: { pin: "012345", caseNumber: "CAS-01001-Z8K4P2", customer: null } };

  pinPosts(): ServiceRequest[] {
    return this.requests.filter((request) => request.method === "POST" && request.path === "/api/pin");
  }

  reset(): void {
    this.requests.length = 0;
    this.allowOrigin = null;
    this.answer = { status: 200, json: { pin: "012345", caseNumber: "CAS-01001-Z8K4P2", customer: null } };
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
        this.requests.push({ method: request.method ?? "", path, headers: { ...request.headers }, rawBody: Buffer.concat(chunks).toString("utf8") });
        const origin = request.headers.origin;
        const cors: Record<string, string> = this.allowOrigin !== null && origin === this.allowOrigin ? { "access-control-allow-origin": this.allowOrigin, vary: "Origin" } : {};
        if (request.method === "OPTIONS" && path === "/api/pin") {
          response.writeHead(204, { ...cors, ...(cors["access-control-allow-origin"] && { "access-control-allow-methods": "POST", "access-control-allow-headers": "content-type", "access-control-max-age": "600" }) });
          response.end();
        } else if (request.method === "POST" && path === "/api/pin") {
          response.writeHead(this.answer.status, { "content-type": "application/json", ...cors });
          response.end(JSON.stringify(this.answer.json));
        } else if (request.method === "GET" && path === "/healthz") {
          response.writeHead(200, { "content-type": "application/json" });
          response.end('{"status":"ok"}');
        } else {
          response.writeHead(404, { "content-type": "application/json", ...cors });
          response.end('{"error":"NOT_FOUND"}');
        }
      });
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
