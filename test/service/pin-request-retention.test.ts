/**
 * Retention of PIN request rows: rows older than PIN_REQUEST_RETENTION_DAYS go with plain DELETE
 * requests — at start, then on a schedule — younger rows stay, and failures are logged, never
 * fatal, with the next run going on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { DataverseTransport } from "../../src/service/dataverse-client";
import { HttpsClient } from "../../src/service/https-client";
import { PinRequestStore } from "../../src/service/pin-broker/pin-request-store";
import { PinRequestRetention } from "../../src/service/pin-broker/retention";
import { MsalTokenProvider } from "../../src/service/token-provider";
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID, type FakeDataverse } from "./support/fake-dataverse";
import { captureLogs, makeTempDir, removeDir, startFakeDataverse, startService, trustedCertificates, waitFor } from "./support/harness";

const DAY = 24 * 3600_000;
let fake: FakeDataverse;
let http: HttpsClient;
let store: PinRequestStore;

beforeAll(async () => {
  fake = await startFakeDataverse();
  http = new HttpsClient({ trustedCertificates: trustedCertificates() });
  const logs = captureLogs();
  const tokens = new MsalTokenProvider({ tenantId: TENANT_ID, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authorityHost: fake.authorityHost, resource: fake.organizationUrl, http, logger: logs.logger });
  store = new PinRequestStore(new DataverseTransport({ organizationUrl: fake.organizationUrl, http, tokens }));
});
afterAll(async () => {
  await http.close();
  await fake.stop();
});
beforeEach(() => {
  fake.pinRequests.clear();
  fake.clearFaults();
});

function rowsAged(...ages: number[]): string[] {
  return ages.map((ageMs) => fake.addPinRequest({ caseId: null, createdBy: crypto.randomUUID(), ageMs }).id);
}

describe("PIN request retention", () => {
  test("the service deletes rows older than the retention period at start, with plain DELETE requests; younger rows stay", async () => {
    const [old1 = "", old2 = ""] = rowsAged(31 * DAY, 400 * DAY);
    const young = rowsAged(29 * DAY, 60_000);
    const spoolDir = await makeTempDir();
    const start = fake.requests.length;
    const running = await startService(fake, spoolDir, {}, { pinRequestRetentionDays: 30 });
    try {
      await waitFor(() => fake.pinRequests.size === 2, 10_000, "retention at start");
      expect([...fake.pinRequests.keys()].sort()).toEqual([...young].sort());
      const deletes = fake.requests.slice(start).filter((r) => r.method === "DELETE");
      expect(deletes.map((r) => r.path).sort()).toEqual([`/api/data/v9.2/lmi_pinrequests(${old1})`, `/api/data/v9.2/lmi_pinrequests(${old2})`].sort());
      for (const request of deletes) {
        expect(request.headers["if-match"]).toBeUndefined();
        expect(request.body).toBe("");
      }
      await waitFor(() => running.logs.lines.some((line) => line.includes("old rows deleted")), 5_000, "log line");
      expect(running.logs.lines.find((line) => line.includes("old rows deleted"))).toContain('"deleted":2');
    } finally {
      await running.stop();
      await removeDir(spoolDir);
    }
  });

  test("a run goes through every page, oldest first", async () => {
    rowsAged(...Array.from({ length: 23 }, (_, i) => (31 + i) * DAY));
    rowsAged(DAY);
    const retention = new PinRequestRetention({ store, retentionDays: 30, logger: captureLogs().logger, pageSize: 5 });
    expect(await retention.runOnce()).toEqual({ deleted: 23, failed: false });
    expect(fake.pinRequests.size).toBe(1);
  });

  test("a failure stops the run and is logged; nothing is thrown, and the next run deletes the rest", async () => {
    const ids = rowsAged(40 * DAY, 39 * DAY, 38 * DAY);
    const logs = captureLogs();
    const retention = new PinRequestRetention({ store, retentionDays: 30, logger: logs.logger, pageSize: 10 });
    fake.failNext(`lmi_pinrequests(${ids[1] ?? ""})`, [{ status: 403, body: { error: { code: "0x80040220", message: "Principal user is missing prvDeletelmi_pinrequest privilege" } } }], "DELETE");
    expect(await retention.runOnce()).toEqual({ deleted: 1, failed: true });
    const stopped = logs.lines.map((line) => JSON.parse(line) as { msg: string; error?: string }).find((line) => line.msg.startsWith("PIN request retention: run stopped by a failure"));
    expect(stopped?.error).toContain("0x80040220");
    expect(fake.pinRequests.size).toBe(2);
    fake.failNext("lmi_pinrequests?", [{ status: 503 }], "GET");
    expect(await retention.runOnce()).toEqual({ deleted: 0, failed: true });
    expect(await retention.runOnce()).toEqual({ deleted: 2, failed: false });
    expect(fake.pinRequests.size).toBe(0);
  });

  test("it runs again on its schedule until stopped; a row already gone counts as deleted", async () => {
    const retention = new PinRequestRetention({ store, retentionDays: 30, logger: captureLogs().logger, intervalMs: 30 });
    retention.start();
    try {
      const [later = ""] = rowsAged(90 * DAY);
      await waitFor(() => !fake.pinRequests.has(later), 5_000, "a scheduled run");
    } finally {
      await retention.stop();
    }
    const [afterStop = ""] = rowsAged(90 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(fake.pinRequests.has(afterStop)).toBe(true);
    await store.remove(crypto.randomUUID());
  });
});
