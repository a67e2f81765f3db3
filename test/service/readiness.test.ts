/**
 * /readyz probes on an unauthenticated endpoint: cached, and shared by concurrent callers, so
 * a flood of probes neither fsyncs per request nor calls Dataverse per request. The Rescue
 * endpoint check reads the configuration only (readiness never calls Rescue).
 */
import { describe, expect, test } from "vitest";
import { Session } from "../../src/model/schema";
import type { DataverseCall, DataverseResponse } from "../../src/service/dataverse-client";
import { ReadinessCheck, type ReadinessReport, type RescueEndpointSource } from "../../src/service/readiness";
import type { IntegrationOptions } from "../../src/service/configuration-options";

function probes(options: { spoolError?: Error; keys?: unknown[] } = {}) {
  const counts = { fsyncProbes: 0, dataverseCalls: 0 };
  const waiting: (() => void)[] = [];
  const spool = {
    checkWritable: (): Promise<void> => {
      counts.fsyncProbes += 1;
      return options.spoolError === undefined ? Promise.resolve() : Promise.reject(options.spoolError);
    },
    deadLetterCount: (): number => 2,
  };
  const dataverse = {
    send: async (call: DataverseCall): Promise<DataverseResponse> => {
      counts.dataverseCalls += 1;
      // The same request the configuration page makes for the Session Key panel.
      expect(call.path).toBe("EntityDefinitions(LogicalName='lmi_session')/Keys?$select=LogicalName,SchemaName,EntityKeyIndexStatus");
      await new Promise<void>((resolve) => waiting.push(resolve));
      return { status: 200, headers: {}, json: { value: options.keys ?? [{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: "Active" }] } };
    },
  };
  const release = (): void => waiting.splice(0).forEach((resolve) => resolve());
  return { counts, spool, dataverse, release };
}

const CONFIGURED: IntegrationOptions = {
  configured: true,
  closeTicketOnSessionEnd: false,
  reassignCaseOnSessionStart: false,
  endpoint: "https://secure.logmeinrescue.com/API",
  companyId: "4711",
  ssoPassword: "secret",
  requireActiveTechConsole: false,
  doNotPassCField1: false,
};

function endpointSource(configuration: Partial<IntegrationOptions> | Error = {}): RescueEndpointSource & { reads: number } {
  const source = {
    reads: 0,
    allowedHosts: ["secure.logmeinrescue.com", "securebeta.logmeinrescue.com"],
    configuration: {
      get: (): Promise<IntegrationOptions> => {
        source.reads += 1;
        return configuration instanceof Error ? Promise.reject(configuration) : Promise.resolve({ ...CONFIGURED, ...configuration });
      },
    },
  };
  return source;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** One report of a fresh check (no cache) whose Dataverse answers with `keys`. */
async function reportOnce(options: { keys?: unknown[] }, configuration: Partial<IntegrationOptions> | Error = {}): Promise<ReadinessReport> {
  const { spool, dataverse, release } = probes(options);
  const report = new ReadinessCheck(spool, dataverse, () => ({ pending: 0, undeliverable: 0 }), endpointSource(configuration), 0).report();
  await settle();
  release();
  return report;
}

describe("readiness", () => {
  test("concurrent probes share one fsync probe and one Dataverse call; later ones use the cache", async () => {
    const { counts, spool, dataverse, release } = probes();
    const endpoint = endpointSource();
    const readiness = new ReadinessCheck(spool, dataverse, () => ({ pending: 5, undeliverable: 1 }), endpoint, 60_000);
    const reports = Array.from({ length: 20 }, () => readiness.report());
    await settle();
    release();
    for (const report of await Promise.all(reports)) {
      expect(report).toEqual({
        ready: true,
        checks: { spool: "writable", dataverse: "reachable", sessionKeyIndex: "Active", rescueEndpoint: "allowed" },
        pendingDeliveries: 5,
        deadLetters: 2,
        undeliverable: 1,
      });
    }
    expect(await readiness.report()).toMatchObject({ ready: true });
    expect(counts).toEqual({ fsyncProbes: 1, dataverseCalls: 1 });
    expect(endpoint.reads).toBe(1);
  });

  test("without a cache period every probe runs again once the previous one finished", async () => {
    const { counts, spool, dataverse, release } = probes({ spoolError: Object.assign(new Error("EROFS: read-only file system, open '/var/spool/lmi/tmp/probe'"), { code: "EROFS" }) });
    const readiness = new ReadinessCheck(spool, dataverse, () => ({ pending: 0, undeliverable: 0 }), endpointSource(), 0);
    const first = readiness.report();
    await settle();
    release();
    expect(await first).toMatchObject({ ready: false, checks: { spool: "not writable (EROFS)" } });
    const second = readiness.report();
    await settle();
    release();
    await second;
    expect(counts).toEqual({ fsyncProbes: 2, dataverseCalls: 2 });
  });

  test("reads the Session Key's index status as the configuration page does: the member name or its number, the key's name in any case", async () => {
    const cases: [unknown[], string][] = [
      [[{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: "Active" }], "Active"],
      [[{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: 2 }], "Active"],
      [[{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: "2" }], "Active"],
      [[{ LogicalName: "LMI_SessionKey", EntityKeyIndexStatus: "active" }], "Active"],
      [[{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: 0 }], "Pending"],
      [[{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: "InProgress" }], "InProgress"],
      [[{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: 3 }], "Failed"],
      [[{ LogicalName: Session.sessionKey, EntityKeyIndexStatus: 9 }], "9"],
      [[{ LogicalName: "lmi_otherkey", EntityKeyIndexStatus: "Active" }], "missing"],
      [[], "missing"],
    ];
    for (const [keys, expected] of cases) {
      const { ready, checks } = await reportOnce({ keys });
      expect(checks.sessionKeyIndex, JSON.stringify(keys)).toBe(expected);
      expect(ready).toBe(expected === "Active");
    }
  });

  test("not ready unless the configured Rescue endpoint's host is allowed; the check names only the kind of problem", async () => {
    const cases: [Partial<IntegrationOptions> | Error, string][] = [
      [{}, "allowed"],
      [{ endpoint: "https://SECURE.logmeinrescue.com:443/API/" }, "allowed"],
      [{ endpoint: "https://securebeta.logmeinrescue.com/API" }, "allowed"],
      [{ endpoint: "https://rescue.evil.example/API" }, "not allowed"],
      [{ endpoint: "https://secure.logmeinrescue.com:8443/API" }, "not allowed"],
      [{ endpoint: "http://secure.logmeinrescue.com/API" }, "not allowed"],
      [{ endpoint: "not a url" }, "not allowed"],
      [{ endpoint: "" }, "missing"],
      [{ configured: false, endpoint: "" }, "not configured"],
      [Object.assign(new Error("GET lmi_configurations: Dataverse answered 503"), { code: "X" }), "unknown (Error)"],
    ];
    for (const [configuration, expected] of cases) {
      const { ready, checks } = await reportOnce({}, configuration);
      expect(checks.rescueEndpoint, JSON.stringify(configuration)).toBe(expected);
      expect(ready).toBe(expected === "allowed");
      expect(JSON.stringify(checks)).not.toContain("evil");
    }
  });
});
