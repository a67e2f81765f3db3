/**
 * The PIN broker's world for tests: the fake Dataverse and the fake Rescue (both HTTPS on
 * 127.0.0.1), the in-process service configured to allow only the fake Rescue's host, agents with
 * Cases, PIN request rows as the agent's browser creates them, and `askPin` — the browser's call.
 */
import { randomUUID } from "node:crypto";
import { PIN_API_PATH } from "../../../src/pin/protocol";
import type { ServiceConfig } from "../../../src/service/config";
import type { FakeDataverse, IncidentRow, PinRequestRow } from "./fake-dataverse";
import { FakeRescue } from "./fake-rescue";
import {
  DYNAMICS_ORIGIN,
  makeTempDir,
  removeDir,
  startFakeDataverse,
  startService,
  testCertificate,
  type RunningService,
  type ServiceOverrides,
} from "./harness";

export interface PinAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export interface Agent {
  id: string;
  email: string;
  fullname: string;
}

export interface AskOptions {
  origin?: string | null;
  contentType?: string;
  /** A raw body instead of `{requestId, nonce}`. */
  body?: string;
  headers?: Record<string, string>;
}

export class PinWorld {
  fake!: FakeDataverse;
  rescue!: FakeRescue;
  running!: RunningService;
  private spoolDir = "";
  private agents = 0;

  /** Starts the fakes and a service; `overrides` and `config` go to the service. */
  async start(overrides: ServiceOverrides = {}, config: Partial<ServiceConfig> = {}): Promise<this> {
    this.fake = await startFakeDataverse();
    this.rescue = new FakeRescue(testCertificate());
    await this.rescue.start();
    this.configure();
    this.spoolDir = await makeTempDir("lmi-pin-");
    this.running = await startService(
      this.fake,
      this.spoolDir,
      { configurationCacheMs: 0, ...overrides, pinBroker: { rateLimit: { max: 100_000, timeWindowMs: 60_000 }, ...overrides.pinBroker } },
      { rescueAllowedHosts: [this.rescue.host], ...config },
    );
    return this;
  }

  async stop(): Promise<void> {
    await this.running.stop();
    await this.rescue.close();
    await this.fake.stop();
    await removeDir(this.spoolDir);
  }

  /** The configuration row as the admin saves it, pointing at the fake Rescue. */
  configure(changes: Partial<NonNullable<FakeDataverse["configuration"]>> = {}): void {
    this.fake.configuration = {
      close: false,
      reassign: false,
      endpoint: this.rescue.endpoint,
      companyId: this.rescue.companyId,
      ssoPassword: this.rescue.ssoPassword,
      requireActiveTechConsole: false,
      doNotPassCField1: false,
      ...changes,
    };
  }

  /** A Dynamics user whom Rescue knows by their email (the usual SSO id), with a technician id. */
  agent(options: { email?: string; rescueKnowsEmail?: boolean; techId?: string } = {}): Agent {
    this.agents += 1;
    const fullname = `Dana Agent ${this.agents}`;
    const email = options.email ?? `dana${this.agents}.${randomUUID().slice(0, 8)}@contoso.com`;
    const id = this.fake.addSystemUser({ fullname, email });
    if (options.rescueKnowsEmail !== false && email !== "") this.rescue.addTechnician(email, options.techId ?? String(4200 + this.agents));
    return { id, email, fullname };
  }

  /** A Case with a contact customer (by default) and a PIN request the agent just created for it. */
  request(agent: Agent, options: { incident?: IncidentRow | null; ageMs?: number; status?: number } = {}): PinRequestRow {
    const incident = options.incident === undefined ? this.fake.addCustomerCase() : options.incident;
    return this.fake.addPinRequest({ caseId: incident?.incidentid ?? null, createdBy: agent.id, ...pick(options, "ageMs", "status") });
  }

  /** The browser's call: `POST <service>/api/pin` with the Dynamics origin and a JSON body. */
  async askPin(row: { id: string; nonce: string } | null, options: AskOptions = {}): Promise<PinAnswer> {
    const origin = options.origin === undefined ? DYNAMICS_ORIGIN : options.origin;
    const response = await fetch(`${this.running.baseUrl}${PIN_API_PATH}`, {
      method: "POST",
      headers: {
        "content-type": options.contentType ?? "application/json",
        ...(origin === null ? {} : { origin }),
        ...options.headers,
      },
      body: options.body ?? JSON.stringify(row === null ? {} : { requestId: row.id, nonce: row.nonce }),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { raw: text };
    }
    return { status: response.status, body, headers: response.headers };
  }

  /** Dataverse Web API requests (not sign-in) the fake has seen. */
  dataverseCalls(): number {
    return this.fake.dataRequests().length;
  }

  logText(): string {
    return this.running.logs.lines.join("");
  }
}

function pick<T extends object, K extends keyof T>(source: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
