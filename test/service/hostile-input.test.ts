/**
 * Hostile input on POST /api/integration: each case answered with the right 4xx, fast, and the
 * service still healthy afterwards; then a seeded fuzz run of 10,000 mutated bodies (XML with
 * CDATA, character references, comments and processing instructions, forms, mislabelled and
 * UTF-16 bodies).
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { seededRandom } from "../helpers/seeded-random";
import type { FakeDataverse } from "./support/fake-dataverse";
import {
  basicAuth,
  formBody,
  fullPost,
  makeTempDir,
  removeDir,
  sendPost,
  startFakeDataverse,
  startService,
  xmlBody,
  type RunningService,
} from "./support/harness";

/** Generous bound for "answered fast" that stays robust on a loaded CI machine. */
const FAST_MS = 2_000;

let fake: FakeDataverse;
let spoolDir: string;
let running: RunningService;

beforeAll(async () => {
  fake = await startFakeDataverse();
  fake.recordRequests = false;
  spoolDir = await makeTempDir();
  running = await startService(fake, spoolDir);
});
afterAll(async () => {
  await running.stop();
  await fake.stop();
  await removeDir(spoolDir);
});

/** Raw HTTP request (keeps full control of headers and framing). */
function rawRequest(options: { path?: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean }): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders; ms: number }> {
  const url = new URL(running.baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, method: "POST", path: options.path ?? "/api/integration", headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers: response.headers, ms: Date.now() - started }));
      },
    );
    // The server may answer and close before the whole body is sent: that is the point.
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE" || error.code === "ECONNRESET") return;
      reject(error);
    });
    if (options.chunked === true && options.body !== undefined) {
      const body = Buffer.from(options.body);
      for (let offset = 0; offset < body.length; offset += 64 * 1024) request.write(body.subarray(offset, offset + 64 * 1024));
      request.end();
    } else {
      request.end(options.body);
    }
  });
}

async function expectHealthy(): Promise<void> {
  expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
  const ok = await sendPost(running.baseUrl, { SessionID: "1", ChatLog: "still fine" });
  expect(ok.status).toBe(200);
}

const xmlHeaders = { "content-type": "text/xml; charset=utf-8", authorization: basicAuth() };

describe("hostile input", () => {
  test("a body over 16 MiB (declared and chunked) → 413; 16 MiB itself is accepted", async () => {
    const big = Buffer.alloc(16 * 1024 * 1024 + 1, "a");
    const declared = await rawRequest({ headers: { ...xmlHeaders, "content-length": String(big.length) }, body: big });
    expect(declared.status).toBe(413);
    expect(declared.text).toBe("body larger than 16 MiB");
    expect(declared.ms).toBeLessThan(FAST_MS);
    const chunked = await rawRequest({ headers: { ...xmlHeaders, "transfer-encoding": "chunked" }, body: big, chunked: true });
    expect(chunked.status).toBe(413);
    const prefix = "SessionID=1600&ChatLog=";
    const exactly = Buffer.concat([Buffer.from(prefix), Buffer.alloc(16 * 1024 * 1024 - prefix.length, "b")]);
    const accepted = await rawRequest({ headers: { authorization: basicAuth(), "content-type": "application/x-www-form-urlencoded" }, body: exactly, chunked: true });
    expect(accepted.status).toBe(200);
    await expectHealthy();
  }, 60_000);

  test.each([
    [
      "billion laughs",
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("")}]><session><sessionid>1</sessionid><chatlog>&lol9;</chatlog></session>`,
      400,
    ],
    ["external entity", `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><session><sessionid>1</sessionid><chatlog>&xxe;</chatlog></session>`, 400],
    ["parameter entity", `<!DOCTYPE s [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]><session><sessionid>1</sessionid></session>`, 400],
    ["broken XML", `<session><sessionid>1</sessionid><chatlog>unclosed</session>`, 400],
    ["deep nesting", `${"<a>".repeat(50_000)}${"</a>".repeat(50_000)}`, 400],
    ["missing session id", xmlBody({ TechID: "1", ChatLog: "x" }), 400],
  ])("%s → %i, fast, service healthy after", async (_name, body, status) => {
    const response = await rawRequest({ headers: xmlHeaders, body });
    expect(response.status).toBe(status);
    expect(response.text.length).toBeLessThan(200);
    expect(response.ms).toBeLessThan(FAST_MS);
    await expectHealthy();
  });

  test("wrong or missing credentials → 401 with WWW-Authenticate, before the body is read", async () => {
    for (const authorization of [basicAuth("rescue", "wrong"), basicAuth("other", "s3cret-Post-Password!"), "Bearer abc", "Basic !!!", undefined]) {
      const headers: Record<string, string> = { "content-type": "text/xml" };
      if (authorization !== undefined) headers.authorization = authorization;
      const response = await rawRequest({ headers, body: xmlBody({ SessionID: "1" }) });
      expect(response.status).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(/^Basic realm=/);
      expect(response.ms).toBeLessThan(FAST_MS);
    }
    await expectHealthy();
  });

  test("JSON or multipart → 415; missing session id in a form → 400; the query string never causes a refusal", async () => {
    expect((await rawRequest({ headers: { authorization: basicAuth(), "content-type": "application/json" }, body: '{"SessionID":"1"}' })).status).toBe(415);
    expect((await rawRequest({ headers: { authorization: basicAuth(), "content-type": "multipart/form-data; boundary=x" }, body: "--x--" })).status).toBe(415);
    expect((await rawRequest({ headers: { authorization: basicAuth(), "content-type": "application/x-www-form-urlencoded" }, body: "TechID=1" })).status).toBe(400);
    for (const query of ["?event=maybe", "?event=start&event=end", "?event=hold", "?event=%00", "?x=1&&&=", "?event"]) {
      const response = await rawRequest({ path: `/api/integration${query}`, headers: { authorization: basicAuth(), "content-type": "application/x-www-form-urlencoded" }, body: "SessionID=1" });
      expect(response.status, query).toBe(200);
    }
    await expectHealthy();
  });

  test("seeded fuzz: 10,000 mutated bodies, no crash, no 5xx", async () => {
    const random = seededRandom(0x5eed_cafe);
    const xmlSeed = xmlBody(fullPost("31337", { ChatLog: "10:00 a: hi & <bye>", Tracking0: "0f8fad5b-d9cb-469f-a165-70867728950e" }));
    const referencesSeed = xmlSeed.replace("hi &amp;", "caf&#233; &#x1F600; &#8212; <![CDATA[Tom & Jerry <!DOCTYPE x>]]><!-- note --><?pi x?>");
    const seeds = [
      { type: "text/xml; charset=utf-8", body: Buffer.from(xmlSeed) },
      { type: "application/x-www-form-urlencoded", body: Buffer.from(formBody(fullPost("31338", { ChatLog: "10:00 a: hi & bye", Notes: "ü" }))) },
      // CDATA, character references, comments and processing instructions.
      { type: "application/xml", body: Buffer.from(referencesSeed) },
      // Mislabelled: XML as a form, a form as XML, XML without a type, UTF-16 XML labelled UTF-8.
      { type: "application/x-www-form-urlencoded", body: Buffer.from(referencesSeed) },
      { type: "text/xml", body: Buffer.from(formBody(fullPost("31339", { ChatLog: "Привет & 😀" }))) },
      { type: "", body: Buffer.from(xmlSeed) },
      { type: "text/xml; charset=utf-8", body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(referencesSeed, "utf16le")]) },
    ];
    const fragments = ["<", ">", "&", ";", "'", '"', "</", "<!DOCTYPE x>", "<!ENTITY a 'b'>", "&amp;", "&#x0;", "&#xD800;", "&#99999999;", "&#233;", "&#x1F600;", "&nbsp;", "%", "%ZZ", "%C3", "=", "&SessionID=", "\u0000", "\uFFFF", "😀", "<![CDATA[", "]]>", "<!--", "-->", "<?pi?>", "<?xml?>", "<sessionid>", "</sessionid>", "\r\n", "+"];
    const contentTypes = ["text/xml", "application/xml", "application/x-xml", "application/x-www-form-urlencoded", "application/soap+xml", "text/plain", "", "application/x-www-form-urlencoded; charset=latin1", "text/xml; charset=utf-16", "application/json", "multipart/form-data; boundary=x"];
    const statuses = new Map<number, number>();
    let next = 0;
    const total = 10_000;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const url = new URL(running.baseUrl);

    const one = (body: Buffer, contentType: string, query: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string> = { authorization: basicAuth(), "content-length": String(body.length) };
        if (contentType !== "") headers["content-type"] = contentType;
        const request = http.request({ host: url.hostname, port: url.port, method: "POST", path: `/api/integration${query}`, headers, agent }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        });
        request.on("error", reject);
        request.end(body);
      });

    const worker = async (): Promise<void> => {
      while (next < total) {
        next += 1;
        const seed = seeds[Math.floor(random() * seeds.length)] ?? seeds[0];
        let bytes: Buffer = seed?.body ?? Buffer.alloc(0);
        const mutations = 1 + Math.floor(random() * 4);
        for (let m = 0; m < mutations; m += 1) bytes = mutate(bytes, random, fragments);
        const contentType = random() < 0.8 ? (seed?.type ?? "") : (contentTypes[Math.floor(random() * contentTypes.length)] ?? "");
        const query = random() < 0.1 ? ["?event=start", "?event=end", "?event=", "?event=%00", "?event=start&event=end"][Math.floor(random() * 5)] ?? "" : "";
        const status = await one(bytes, contentType, query);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    agent.destroy();

    const summary = Object.fromEntries(statuses);
    console.log(`fuzz: ${total} mutated bodies, answers by status ${JSON.stringify(summary)}`);
    expect([...statuses.keys()].every((status) => status < 500), JSON.stringify(summary)).toBe(true);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    await expectHealthy();
  }, 120_000);
});

function mutate(bytes: Buffer, random: () => number, fragments: string[]): Buffer {
  const at = Math.floor(random() * (bytes.length + 1));
  switch (Math.floor(random() * 7)) {
    case 0: {
      const copy = Buffer.from(bytes);
      if (copy.length > 0) copy[Math.min(at, copy.length - 1)] = Math.floor(random() * 256);
      return copy;
    }
    case 1: {
      const fragment = Buffer.from(fragments[Math.floor(random() * fragments.length)] ?? "", "utf8");
      return Buffer.concat([bytes.subarray(0, at), fragment, bytes.subarray(at)]);
    }
    case 2: {
      const length = Math.floor(random() * 40);
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]);
    }
    case 3: {
      const length = Math.floor(random() * 200);
      const slice = bytes.subarray(at, at + length);
      return Buffer.concat([bytes.subarray(0, at), slice, slice, bytes.subarray(at)]);
    }
    case 4:
      return bytes.subarray(0, at);
    case 5: {
      const copy = Buffer.from(bytes.toString("latin1").replace(/sessionid/i, random() < 0.5 ? "SESSIONID" : "sessionId"), "latin1");
      return copy;
    }
    default: {
      const noise = Buffer.alloc(1 + Math.floor(random() * 16));
      for (let i = 0; i < noise.length; i += 1) noise[i] = Math.floor(random() * 256);
      return Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
    }
  }
}
