/**
 * A loopback HTTP server for page tests: serves the built web resources (`dist/webresources`, as
 * named in Dataverse) under `/WebResources/`, plus any routes a test adds (host pages that play the
 * parent Xrm, Web API fakes). Listens on 127.0.0.1 only, on a free port.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve as resolvePath } from "node:path";

export const BUILT_WEB_RESOURCES = resolvePath(import.meta.dirname, "../../dist/webresources");

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".resx": "text/xml; charset=utf-8",
  ".json": "application/json",
};

export type Route = (request: IncomingMessage, response: ServerResponse, body: string) => boolean | Promise<boolean>;

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Throws a clear message when the web resources have not been built yet. */
export function assertBuilt(webResourceName: string): void {
  if (!existsSync(join(BUILT_WEB_RESOURCES, webResourceName))) {
    throw new Error(`dist/webresources/${webResourceName} is missing: run "npm run build" before the page tests.`);
  }
}

export async function startStaticServer(routes: Route[] = [], root = BUILT_WEB_RESOURCES): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void handle(request, response, Buffer.concat(chunks).toString("utf8"));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    try {
      for (const route of routes) {
        if (await route(request, response, body)) return;
      }
      const path = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
      const prefix = "/WebResources/";
      if (request.method === "GET" && path.startsWith(prefix)) {
        const file = normalize(join(root, path.slice(prefix.length)));
        if (file.startsWith(root) && existsSync(file) && statSync(file).isFile()) {
          response.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
          response.end(readFileSync(file));
          return;
        }
      }
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found");
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
