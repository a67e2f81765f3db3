import { describe, expect, it } from "vitest";
import {
  BETA_ENDPOINT,
  DEFAULT_ENVIRONMENT,
  defaultEndpointFor,
  endpointAfterEnvironmentChange,
  ENVIRONMENT_CHOICES,
  environmentForEndpoint,
  isEnvironmentValue,
  PRODUCTION_ENDPOINT,
} from "../../src/configuration/environments";
import { Environment } from "../../src/model/schema";

describe("environment ↔ endpoint mapping", () => {
  it("uses the documented production base and the assumed beta base", () => {
    expect(PRODUCTION_ENDPOINT).toBe("https://secure.logmeinrescue.com/API");
    expect(BETA_ENDPOINT).toBe("https://securebeta.logmeinrescue.com/API");
    expect(DEFAULT_ENVIRONMENT).toBe(Environment.Production);
  });

  it("lists Production, Beta, Custom with the choice values of DESIGN.md", () => {
    expect(ENVIRONMENT_CHOICES.map((choice) => choice.value)).toEqual([645100000, 645100001, 645100002]);
    expect(ENVIRONMENT_CHOICES.map((choice) => choice.labelKey)).toEqual([
      "Config.Environment.Production",
      "Config.Environment.Beta",
      "Config.Environment.Custom",
    ]);
  });

  it("prefills the endpoint for Production and Beta only", () => {
    expect(defaultEndpointFor(Environment.Production)).toBe(PRODUCTION_ENDPOINT);
    expect(defaultEndpointFor(Environment.Beta)).toBe(BETA_ENDPOINT);
    expect(defaultEndpointFor(Environment.Custom)).toBeNull();
    expect(defaultEndpointFor(null)).toBeNull();
    expect(defaultEndpointFor(undefined)).toBeNull();
    expect(defaultEndpointFor(1)).toBeNull();
  });

  it("overwrites the endpoint when Production or Beta is chosen and keeps it for Custom", () => {
    const custom = "https://rescue.contoso.eu/API";
    expect(endpointAfterEnvironmentChange(Environment.Production, custom)).toBe(PRODUCTION_ENDPOINT);
    expect(endpointAfterEnvironmentChange(Environment.Beta, PRODUCTION_ENDPOINT)).toBe(BETA_ENDPOINT);
    expect(endpointAfterEnvironmentChange(Environment.Custom, custom)).toBe(custom);
    expect(endpointAfterEnvironmentChange(Environment.Custom, "")).toBe("");
    expect(endpointAfterEnvironmentChange(null, custom)).toBe(custom);
  });

  it("derives the environment of a stored endpoint, ignoring case of the host and a trailing slash", () => {
    expect(environmentForEndpoint(PRODUCTION_ENDPOINT)).toBe(Environment.Production);
    expect(environmentForEndpoint("HTTPS://Secure.LogMeInRescue.com/API/")).toBe(Environment.Production);
    expect(environmentForEndpoint(`  ${BETA_ENDPOINT}  `)).toBe(Environment.Beta);
    expect(environmentForEndpoint("https://secure.logmeinrescue.com/api/v2")).toBe(Environment.Custom);
    expect(environmentForEndpoint("https://rescue.contoso.eu/API")).toBe(Environment.Custom);
    expect(environmentForEndpoint("")).toBe(Environment.Custom);
  });

  it("recognises the three choice values only", () => {
    expect(isEnvironmentValue(645100000)).toBe(true);
    expect(isEnvironmentValue(645100002)).toBe(true);
    expect(isEnvironmentValue(645100003)).toBe(false);
    expect(isEnvironmentValue("645100000")).toBe(false);
    expect(isEnvironmentValue(null)).toBe(false);
  });
});
