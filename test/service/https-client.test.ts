/**
 * The service's outbound HTTPS client (Node's fetch, undici) against an HTTPS peer on 127.0.0.1
 * with the test's self-signed certificate: whom it trusts, keep-alive, the whole-request timeout,
 * the response size limit, no redirects, https only. (NODE_EXTRA_CA_CERTS is shown by the service
 * run as a process: process.test.ts.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { HttpsClient, NetworkError } from "../../src/service/https-client";
import { FakeRescue, HANG } from "./support/fake-rescue";
import { testCertificate, trustedCertificates } from "./support/harness";

const peer = new FakeRescue(testCertificate());
const clients: HttpsClient[] = [];
const client = (options: ConstructorParameters<typeof HttpsClient>[0] = { trustedCertificates: trustedCertificates() }): HttpsClient => {
  const made = new HttpsClient(options);
  clients.push(made);
  return made;
};

beforeAll(async () => {
  await peer.start();
});
afterAll(async () => {
  for (const made of clients) await made.close();
  await peer.close();
});
beforeEach(() => {
  peer.reset();
});

const post = (http: HttpsClient, timeoutMs?: number): Promise<unknown> =>
  http.request({ method: "POST", url: `${peer.endpoint}/getAccount.aspx`, headers: { "content-type": "text/plain" }, body: "authcode=x", ...(timeoutMs === undefined ? {} : { timeoutMs }) });

describe("outbound HTTPS client", () => {
  test("answers with status, lower-case headers and the body as bytes", async () => {
    peer.reply("getAccount", { status: 418, body: "tea ✓", headers: { "X-Custom": "a" } });
    const response = await client().request({ method: "POST", url: `${peer.endpoint}/getAccount.aspx`, body: Buffer.from("x") });
    expect(response.status).toBe(418);
    expect(response.headers["x-custom"]).toBe("a");
    expect(response.body.toString("utf8")).toBe("tea ✓");
  });

  test("Node's standard trust store does not trust the self-signed peer; the certificates given do", async () => {
    const failure = await post(client({})).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NetworkError);
    expect((failure as Error).message).toMatch(/^request to 127\.0\.0\.1:\d+ failed: .*certificate/);
    expect(peer.calls).toHaveLength(0);
    await expect(post(client())).resolves.toMatchObject({ status: 200 });
  });

  test("keeps connections alive: ten sequential calls over one or two connections, not ten", async () => {
    const http = client();
    for (let i = 0; i < 10; i += 1) await post(http);
    expect(peer.calls).toHaveLength(10);
    // undici may open a second socket while the first one is still finishing the first answer.
    expect(peer.connections).toBeLessThanOrEqual(2);
  });

  test("a peer that does not answer: a NetworkError after the request's timeout", async () => {
    peer.reply("getAccount", HANG);
    const started = Date.now();
    const failure = (await post(client(), 300).catch((error: unknown) => error)) as Error;
    expect(failure).toBeInstanceOf(NetworkError);
    expect(failure.message).toMatch(/no answer from 127\.0\.0\.1:\d+ within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("a body over the limit ends the request with a NetworkError, for request and for fetch", async () => {
    const http = client({ trustedCertificates: trustedCertificates(), maxResponseBytes: 1_000 });
    peer.reply("getAccount", { status: 200, body: "x".repeat(1_001) }, { status: 200, body: "x".repeat(1_001) }, { status: 200, body: "x".repeat(1_000) });
    await expect(post(http)).rejects.toThrow(/response larger than 1000 bytes/);
    const viaFetch = await http
      .fetch(`${peer.endpoint}/getAccount.aspx`, { method: "POST", headers: {}, body: "", signal: AbortSignal.timeout(5_000) })
      .then((response) => response.text())
      .catch((error: unknown) => error);
    expect(viaFetch).toBeInstanceOf(Error);
    await expect(post(http)).resolves.toMatchObject({ status: 200 });
  });

  test("follows no redirect and refuses anything but https", async () => {
    peer.reply("getAccount", { status: 302, headers: { location: `${peer.endpoint}/requestPINCode.aspx` } });
    expect(await post(client())).toMatchObject({ status: 302 });
    expect(peer.calls.map((c) => c.method)).toEqual(["getAccount"]);
    await expect(client().request({ method: "GET", url: `http://127.0.0.1:${new URL(peer.endpoint).port}/` })).rejects.toThrow(/non-https/);
  });
});
