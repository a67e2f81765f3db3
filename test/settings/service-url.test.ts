import { describe, expect, it } from "vitest";
import { normaliseServiceUrl, SERVICE_PATHS, serviceAddress, serviceRoot } from "../../src/settings/service-url";

describe("the integration service URL in the browser", () => {
  it("is the https origin, with a trailing slash tolerated", () => {
    expect(serviceRoot("https://integration.contoso.com")).toBe("https://integration.contoso.com");
    expect(serviceRoot(" https://Integration.Contoso.com:8443/ ")).toBe("https://integration.contoso.com:8443");
    expect(serviceRoot("https://integration.contoso.com//")).toBe("https://integration.contoso.com");
    expect(normaliseServiceUrl(" https://integration.contoso.com/// ")).toBe("https://integration.contoso.com");
  });

  it("allows plain http only on this computer (development and tests)", () => {
    expect(serviceRoot("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(serviceRoot("http://localhost:8080/")).toBe("http://localhost:8080");
    expect(serviceRoot("http://[::1]:8080")).toBe("http://[::1]:8080");
    expect(serviceRoot("http://integration.contoso.com")).toBeNull();
    expect(serviceRoot("http://127.0.0.1.nip.io")).toBeNull();
  });

  it.each(["", "   ", "integration.contoso.com", "ftp://integration.contoso.com", "https://integration.contoso.com/api", "https://integration.contoso.com/?x=1", "https://integration.contoso.com#top", "https://rescue:pw@integration.contoso.com", "https://a b.com"])(
    "refuses %j",
    (value) => {
      expect(serviceRoot(value)).toBeNull();
    },
  );

  it("puts the service's paths after the root", () => {
    expect(serviceAddress("https://integration.contoso.com", SERVICE_PATHS.pin)).toBe("https://integration.contoso.com/api/pin");
    expect(serviceAddress("https://integration.contoso.com", SERVICE_PATHS.health)).toBe("https://integration.contoso.com/healthz");
    expect(serviceAddress("https://integration.contoso.com", SERVICE_PATHS.integration)).toBe("https://integration.contoso.com/api/integration");
  });
});
