import { describe, expect, it, vi } from "vitest";
import { keyPanel } from "../../src/configuration/key-status";
import { keysPath, parseKeyIndexStatus, reactivateEntityKey, readEntityKeyState } from "../../src/dataverse/entity-keys";
import type { WebApiResponse } from "../../src/dataverse/web-api-client";
import { resxStrings } from "../helpers/xrm";

function api(body: unknown) {
  const send = vi.fn<(method: string, path: string, body?: unknown) => Promise<WebApiResponse>>(() => Promise.resolve({ status: 200, headers: new Headers(), body }));
  return { send };
}

describe("key index status", () => {
  it("parses member names and numeric values", () => {
    expect(parseKeyIndexStatus("Active")).toBe("Active");
    expect(parseKeyIndexStatus("inprogress")).toBe("InProgress");
    expect(parseKeyIndexStatus(0)).toBe("Pending");
    expect(parseKeyIndexStatus("3")).toBe("Failed");
    expect(parseKeyIndexStatus(7)).toBeNull();
    expect(parseKeyIndexStatus("Broken")).toBeNull();
    expect(parseKeyIndexStatus(null)).toBeNull();
  });

  it("reads the key from the table's Keys metadata", async () => {
    const fake = api({ value: [{ LogicalName: "lmi_other", EntityKeyIndexStatus: "Failed" }, { LogicalName: "lmi_sessionkey", EntityKeyIndexStatus: "Pending" }] });
    await expect(readEntityKeyState(fake, "lmi_session", "lmi_sessionkey")).resolves.toEqual({ kind: "status", status: "Pending" });
    expect(fake.send).toHaveBeenCalledWith("GET", "EntityDefinitions(LogicalName='lmi_session')/Keys?$select=LogicalName,SchemaName,EntityKeyIndexStatus");
    expect(keysPath("lmi_session")).toContain("LogicalName='lmi_session'");
  });

  it("reports a missing key and an unknown status", async () => {
    await expect(readEntityKeyState(api({ value: [] }), "lmi_session", "lmi_sessionkey")).resolves.toEqual({ kind: "missing" });
    await expect(readEntityKeyState(api({}), "lmi_session", "lmi_sessionkey")).resolves.toEqual({ kind: "missing" });
    await expect(readEntityKeyState(api({ value: [{ LogicalName: "lmi_sessionkey", EntityKeyIndexStatus: "Weird" }] }), "lmi_session", "lmi_sessionkey")).resolves.toEqual({
      kind: "unknown",
      raw: "Weird",
    });
  });

  it("reactivates through the unbound ReactivateEntityKey action", async () => {
    const fake = api(null);
    await reactivateEntityKey(fake, "lmi_session", "lmi_sessionkey");
    expect(fake.send).toHaveBeenCalledWith("POST", "ReactivateEntityKey", { EntityLogicalName: "lmi_session", EntityKeyLogicalName: "lmi_sessionkey" });
  });
});

describe("Session Key panel", () => {
  it("offers Reactivate for every state that is not Active and can be rebuilt", () => {
    expect(keyPanel({ kind: "status", status: "Active" })).toMatchObject({ tone: "success", canReactivate: false, statusKey: "Config.Key.Status.Active" });
    expect(keyPanel({ kind: "status", status: "Pending" })).toMatchObject({ tone: "warning", canReactivate: true });
    expect(keyPanel({ kind: "status", status: "InProgress" })).toMatchObject({ tone: "info", canReactivate: true });
    expect(keyPanel({ kind: "status", status: "Failed" })).toMatchObject({ tone: "error", canReactivate: true, explanationKey: "Config.Key.Explain.Failed" });
    expect(keyPanel({ kind: "unknown", raw: "9" })).toMatchObject({ canReactivate: true, statusArgs: ["9"] });
    expect(keyPanel({ kind: "missing" })).toMatchObject({ tone: "error", canReactivate: false });
    expect(keyPanel({ kind: "error", detail: "Principal user is missing prvReadEntityKey" })).toMatchObject({
      canReactivate: false,
      explanationArgs: ["Principal user is missing prvReadEntityKey"],
    });
  });

  it("has its texts in both languages", () => {
    const panels = [
      keyPanel({ kind: "status", status: "Active" }),
      keyPanel({ kind: "status", status: "Pending" }),
      keyPanel({ kind: "status", status: "InProgress" }),
      keyPanel({ kind: "status", status: "Failed" }),
      keyPanel({ kind: "missing" }),
      keyPanel({ kind: "unknown", raw: "x" }),
      keyPanel({ kind: "error", detail: "x" }),
    ];
    for (const lcid of [1033, 1043] as const) {
      for (const panel of panels) {
        expect(resxStrings(lcid).get(panel.statusKey), panel.statusKey).toBeTruthy();
        expect(resxStrings(lcid).get(panel.explanationKey), panel.explanationKey).toBeTruthy();
      }
    }
  });
});
