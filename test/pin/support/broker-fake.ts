/**
 * The integration service's PIN broker (`POST <service>/api/pin`, src/pin/protocol.ts), faked at
 * the `fetch` level for the Node tests: a `fetch` function that records every call (URL, options,
 * parsed body) and answers as scripted. `GET /healthz` with `mode: "no-cors"` is the probe the
 * flow sends after a failed request; it is recorded apart and answers as `probe` says.
 */
import type { PinBrokerSuccess } from "../../../src/pin/protocol";

export type BrokerReply =
  /** An HTTP answer: JSON (`json`) or any text (`body`). */
  | { status: number; json?: unknown; body?: string }
  /** fetch rejects without an answer (what a browser reports for a CORS refusal or a dead host). */
  | { transport: "reject" }
  /** No answer until the request is aborted. */
  | { transport: "hang" };

export interface BrokerCall {
  url: string;
  init: RequestInit;
  /** The parsed JSON body (undefined for none). */
  body: unknown;
  /** performance.now() when fetch was called. */
  at: number;
}

export const SUCCESS: PinBrokerSuccess = { pin: "012345", caseNumber: "CAS-01001-Z8K4P2", customer: { entityType: "contact", id: "4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b" } };

/** A failure answer with the status the protocol gives `error`. */
export function refusal(status: number, error: string, extra: Record<string, unknown> = {}): BrokerReply {
  return { status, json: { error, ...extra } };
}

export class BrokerFake {
  readonly calls: BrokerCall[] = [];
  readonly probes: BrokerCall[] = [];
  private readonly queue: BrokerReply[] = [];
  defaultReply: BrokerReply = { status: 200, json: SUCCESS };
  /** What the /healthz probe meets: an opaque answer ("up") or a failure ("down"). */
  probe: "up" | "down" = "down";

  /** Queues replies for the next PIN calls (then the default again). */
  reply(...replies: BrokerReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  reset(): void {
    this.calls.length = 0;
    this.probes.length = 0;
    this.queue.length = 0;
    this.defaultReply = { status: 200, json: SUCCESS };
    this.probe = "down";
  }

  readonly fetch = (input: string, init: RequestInit = {}): Promise<Response> => {
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    const call: BrokerCall = { url: input, init, body, at: performance.now() };
    if (new URL(input).pathname === "/healthz") {
      this.probes.push(call);
      return this.probe === "up" ? Promise.resolve(new Response(null, { status: 200 })) : Promise.reject(new TypeError("Failed to fetch"));
    }
    this.calls.push(call);
    const reply = this.queue.shift() ?? this.defaultReply;
    if ("transport" in reply) {
      if (reply.transport === "reject") return Promise.reject(new TypeError("Failed to fetch"));
      return new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener("abort", () => reject(new DOMException("The operation was aborted.", "AbortError")), { once: true });
      });
    }
    const text = reply.json === undefined ? (reply.body ?? "") : JSON.stringify(reply.json);
    return Promise.resolve(new Response(text, { status: reply.status, headers: { "content-type": reply.json === undefined ? "text/html" : "application/json" } }));
  };
}
