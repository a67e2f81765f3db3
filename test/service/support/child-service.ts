/**
 * Runs the integration service as a child process exactly as operators do (`node --import tsx
 * src/service/main.ts`), configured only through environment variables, trusting the fake's
 * self-signed certificate through NODE_EXTRA_CA_CERTS.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export interface ChildService {
  process: ChildProcess;
  baseUrl: string;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function writeCaFile(dir: string, certPem: string): Promise<string> {
  const file = path.join(dir, "test-ca.pem");
  await writeFile(file, certPem);
  return file;
}

export interface SpawnOptions {
  waitForListening?: boolean;
  /** Run the service as this user (and group), e.g. to make file permissions apply when the tests run as root. */
  user?: { uid: number; gid: number };
}

/** Spawns the service; resolves once it logs that it listens (or rejects when it exits first). */
export async function spawnService(env: Record<string, string>, options: SpawnOptions = {}): Promise<ChildService> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/service/main.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.user === undefined ? {} : { uid: options.user.uid, gid: options.user.gid }),
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let buffered = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        stdout.push(line);
        if (line.includes('"integration service listening"')) resolve();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString("utf8")));
    void exited.then(({ code }) => reject(new Error(`service exited with ${code}: ${stderr.join("")}`)));
  });
  if (options.waitForListening !== false) await listening;
  else listening.catch(() => undefined);
  return { process: child, baseUrl: `http://127.0.0.1:${env.PORT ?? ""}`, stdout, stderr, exited };
}
