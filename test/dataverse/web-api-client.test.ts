import { describe, expect, it } from "vitest";
import { WebApiError } from "../../src/dataverse/client";
import { idFromEntityIdHeader } from "../../src/dataverse/odata";
import { createWebApiClient, type FetchLike } from "../../src/dataverse/web-api-client";

interface Seen {
  url: string;
  init: RequestInit;
}

function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fetch: FetchLike = async (url, init) => {
    seen.push({ url, init });
    return answer(url, init);
  };
  return { fetch, seen };
}

function header(init: RequestInit, name: string): string | undefined {
  return (init.headers as Record<string, string>)[name];
}

const CLIENT_URL = "https://contoso.crm4.dynamics.com/";

describe("fetch-based Dataverse client", () => {
  it("reads rows from the entity set, relative to the client URL, with OData headers", async () => {
    const { fetch, seen } = fakeFetch(() => Response.json({ value: [{ lmi_name: "Default" }, null, 3] }));
    const client = createWebApiClient({ clientUrl: CLIENT_URL, fetch });
    expect(client.root).toBe("https://contoso.crm4.dynamics.com/api/data/v9.2/");
    await expect(client.retrieveMultiple("lmi_configuration", "?$select=lmi_name&$top=2", 2)).resolves.toEqual([{ lmi_name: "Default" }]);
    expect(seen[0]?.url).toBe("https://contoso.crm4.dynamics.com/api/data/v9.2/lmi_configurations?$select=lmi_name&$top=2");
    expect(seen[0]?.init.method).toBe("GET");
    expect(seen[0]?.init.credentials).toBe("same-origin");
    expect(header(seen[0]!.init, "OData-Version")).toBe("4.0");
    expect(header(seen[0]!.init, "OData-MaxVersion")).toBe("4.0");
    expect(header(seen[0]!.init, "Accept")).toBe("application/json");
    expect(header(seen[0]!.init, "Prefer")).toBe("odata.maxpagesize=2");
  });

  it("retrieves one row by id without braces", async () => {
    const { fetch, seen } = fakeFetch(() => Response.json({ lmi_name: "Default" }));
    const client = createWebApiClient({ clientUrl: CLIENT_URL, fetch });
    await expect(client.retrieve("lmi_configuration", "{9A1B2C3D-0000-4000-8000-000000000001}", "?$select=lmi_name")).resolves.toEqual({ lmi_name: "Default" });
    expect(seen[0]?.url).toMatch(/lmi_configurations\(9a1b2c3d-0000-4000-8000-000000000001\)\?\$select=lmi_name$/);
  });

  it("creates with POST and answers the id from OData-EntityId", async () => {
    const { fetch, seen } = fakeFetch(
      () => new Response(null, { status: 204, headers: { "OData-EntityId": "https://contoso.crm4.dynamics.com/api/data/v9.2/lmi_configurations(7D5E1A2B-1111-4222-8333-944445555666)" } }),
    );
    const client = createWebApiClient({ clientUrl: CLIENT_URL, fetch });
    await expect(client.create("lmi_configuration", { lmi_name: "Default" })).resolves.toBe("7d5e1a2b-1111-4222-8333-944445555666");
    expect(seen[0]?.init.method).toBe("POST");
    expect(seen[0]?.init.body).toBe('{"lmi_name":"Default"}');
    expect(header(seen[0]!.init, "Content-Type")).toBe("application/json; charset=utf-8");
  });

  it("updates with PATCH and If-Match: * (never an upsert)", async () => {
    const { fetch, seen } = fakeFetch(() => new Response(null, { status: 204 }));
    const client = createWebApiClient({ clientUrl: CLIENT_URL, fetch });
    await client.update("lmi_configuration", "{7D5E1A2B-1111-4222-8333-944445555666}", { lmi_companyid: "1" });
    expect(seen[0]?.url).toMatch(/lmi_configurations\(7d5e1a2b-1111-4222-8333-944445555666\)$/);
    expect(seen[0]?.init.method).toBe("PATCH");
    expect(header(seen[0]!.init, "If-Match")).toBe("*");
  });

  it("turns OData errors into WebApiError with the platform's message, status and code", async () => {
    const { fetch } = fakeFetch(() =>
      Response.json({ error: { code: "0x80040220", message: "Principal user (Id=…) is missing prvWritelmi_configuration privilege" } }, { status: 403 }),
    );
    const client = createWebApiClient({ clientUrl: CLIENT_URL, fetch });
    const error = await client.update("lmi_configuration", "1", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebApiError);
    expect(error).toMatchObject({ message: "Principal user (Id=…) is missing prvWritelmi_configuration privilege", status: 403, code: "0x80040220" });
  });

  it("reports non-JSON errors, network failures and timeouts", async () => {
    const html = createWebApiClient({ clientUrl: CLIENT_URL, fetch: fakeFetch(() => new Response("<html>", { status: 502, statusText: "Bad Gateway" })).fetch });
    await expect(html.retrieveMultiple("lmi_configuration", "")).rejects.toMatchObject({ message: "HTTP 502 Bad Gateway", status: 502 });
    const offline = createWebApiClient({
      clientUrl: CLIENT_URL,
      fetch: () => Promise.reject(new TypeError("Failed to fetch")),
    });
    await expect(offline.retrieveMultiple("lmi_configuration", "")).rejects.toThrow(/could not be reached \(Failed to fetch\)/);
    const slow = createWebApiClient({
      clientUrl: CLIENT_URL,
      timeoutMs: 20,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    });
    await expect(slow.retrieveMultiple("lmi_configuration", "")).rejects.toThrow(/did not answer/);
  });

  it("refuses tables it has no entity set for and a create without an id", async () => {
    const client = createWebApiClient({ clientUrl: CLIENT_URL, fetch: fakeFetch(() => new Response(null, { status: 204 })).fetch });
    await expect(client.retrieveMultiple("account", "")).rejects.toThrow(/No entity set/);
    await expect(client.create("lmi_configuration", {})).rejects.toThrow(/did not say its id/);
  });

  it("sends other requests relative to the Web API root", async () => {
    const { fetch, seen } = fakeFetch(() => new Response(null, { status: 204 }));
    const client = createWebApiClient({ clientUrl: "https://contoso.crm4.dynamics.com", fetch });
    const response = await client.send("POST", "/ReactivateEntityKey", { EntityLogicalName: "lmi_session" });
    expect(response).toMatchObject({ status: 204, body: null });
    expect(seen[0]?.url).toBe("https://contoso.crm4.dynamics.com/api/data/v9.2/ReactivateEntityKey");
  });

  it("reads ids from OData-EntityId headers", () => {
    expect(idFromEntityIdHeader("https://x/api/data/v9.2/lmi_configurations(7d5e1a2b-1111-4222-8333-944445555666)")).toBe("7d5e1a2b-1111-4222-8333-944445555666");
    expect(idFromEntityIdHeader(null)).toBeNull();
    expect(idFromEntityIdHeader("https://x/api/data/v9.2/lmi_configurations")).toBeNull();
  });
});
