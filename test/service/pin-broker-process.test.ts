/**
 * The PIN broker in the service run as operators run it (`node --import tsx src/service/main.ts`),
 * configured by environment variables only: Rescue is reached over HTTPS trusting the test
 * certificate through NODE_EXTRA_CA_CERTS like Dataverse, and only on a host in
 * RESCUE_ALLOWED_HOSTS.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PinRequestStatus } from "../../src/model/schema";
import { PIN_API_PATH } from "../../src/pin/protocol";
import { freePort, spawnService, writeCaFile } from "./support/child-service";
import type { FakeDataverse } from "./support/fake-dataverse";
import { FakeRescue } from "./support/fake-rescue";
import { DYNAMICS_ORIGIN, makeTempDir, removeDir, serviceEnvironment, startFakeDataverse, testCertificate } from "./support/harness";

let fake: FakeDataverse;
let rescue: FakeRescue;
let workDir: string;

beforeAll(async () => {
  fake = await startFakeDataverse();
  rescue = new FakeRescue(testCertificate());
  await rescue.start();
  workDir = await makeTempDir("lmi-pin-process-");
});
afterAll(async () => {
  await rescue.close();
  await fake.stop();
  await removeDir(workDir);
});

async function ask(baseUrl: string, row: { id: string; nonce: string }): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${PIN_API_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: DYNAMICS_ORIGIN },
    body: JSON.stringify({ requestId: row.id, nonce: row.nonce }),
  });
  return { status: response.status, body: await response.json() };
}

describe("PIN broker in the service process", () => {
  test("issues a PIN through Rescue over HTTPS trusted via NODE_EXTRA_CA_CERTS, with Rescue allowed by RESCUE_ALLOWED_HOSTS", async () => {
    const email = "process.agent@contoso.com";
    rescue.addTechnician(email, "31337");
    fake.configuration = { close: false, reassign: false, endpoint: rescue.endpoint, companyId: rescue.companyId, ssoPassword: rescue.ssoPassword };
    const agentId = fake.addSystemUser({ fullname: "Process Agent", email });
    const env = {
      ...serviceEnvironment(fake, path.join(workDir, "spool"), await freePort()),
      NODE_EXTRA_CA_CERTS: await writeCaFile(workDir, testCertificate().certPem),
      RESCUE_ALLOWED_HOSTS: rescue.host,
      PIN_REQUEST_RETENTION_DAYS: "7",
      TRUST_PROXY: "1",
    };
    const child = await spawnService(env);
    try {
      const row = fake.addPinRequest({ caseId: fake.addCustomerCase().incidentid, createdBy: agentId });
      const answer = await ask(child.baseUrl, row);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ pin: expect.stringMatching(/^\d{6}$/) as unknown });
      expect(rescue.calls.map((c) => c.method)).toEqual(["requestAuthCodeSSO", "requestPINCode", "getAccount"]);
      expect(fake.pinRequests.get(row.id)?.status).toBe(PinRequestStatus.Issued);

    } finally {
      child.process.kill("SIGTERM");
    }
    const { code } = await child.exited;
    expect(code).toBe(0);
    expect(child.stdout.join("\n")).not.toContain(rescue.ssoPassword);
  });

  test("with the default RESCUE_ALLOWED_HOSTS a configured endpoint elsewhere gets nothing, and /readyz says not ready", async () => {
    fake.configuration = { close: false, reassign: false, endpoint: rescue.endpoint, companyId: rescue.companyId, ssoPassword: rescue.ssoPassword };
    const agentId = fake.addSystemUser({ fullname: "Other Agent", email: "other.agent@contoso.com" });
    const env = {
      ...serviceEnvironment(fake, path.join(workDir, "spool-default-hosts"), await freePort()),
      NODE_EXTRA_CA_CERTS: await writeCaFile(workDir, testCertificate().certPem),
    };
    const child = await spawnService(env);
    try {
      const calls = rescue.calls.length;
      const refused = await ask(child.baseUrl, fake.addPinRequest({ caseId: fake.addCustomerCase().incidentid, createdBy: agentId }));
      expect(refused).toEqual({ status: 503, body: { error: "ENDPOINT_NOT_ALLOWED" } });
      expect(rescue.calls.length).toBe(calls);
      const ready = await fetch(`${child.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, string> }).checks.rescueEndpoint).toBe("not allowed");
    } finally {
      child.process.kill("SIGTERM");
    }
    expect((await child.exited).code).toBe(0);
  });
});
