/**
 * PIN broker budgets (`npm run bench`, after the client bench; not part of `npm test`).
 *
 * The integration service runs in this process (the real service: HTTP app, PIN broker, caches,
 * Dataverse client) against the fake Dataverse and the fake Rescue, both HTTPS on 127.0.0.1 and
 * answering at once. 20 agents, each warmed up with a first PIN (user settings created, auth code
 * obtained, technician id filled in), then PIN requests arrive at a steady 20 per second. Figures:
 *
 * 1. service overhead per PIN: the time the service holds the request — from the request's
 *    arrival to its answer finished, as Node's HTTP server reports them (diagnostics channels
 *    `http.server.request.start` / `http.server.response.finish`), so the bench's own client does
 *    not count — minus the time spent in the service's outbound calls for it (Dataverse and Rescue
 *    round trips, from undici's diagnostics channels for every outbound request of the service's
 *    fetch); budget p99 ≤ 10 ms.
 *    A request that overlaps another in time is left out (its outbound calls cannot be told
 *    apart), and counted. The caller's wait is printed for information;
 * 2. Dataverse Web API calls made by the service per PIN in steady state, counted at the fake;
 *    budget ≤ 3. Rescue calls per PIN are printed next to it.
 *
 * The machine's load shows in the tail: run it on a quiet machine. Exits non-zero when a budget fails.
 */
import { subscribe } from "node:diagnostics_channel";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { PIN_API_PATH } from "../../src/pin/protocol";
import { DYNAMICS_ORIGIN } from "../service/support/harness";
import { PinWorld, type Agent } from "../service/support/pin-world";

const RATE_PER_SECOND = 20;
const MEASURED = 600;
const AGENTS = 20;
const BUDGET = { overheadP99Ms: 10, dataverseCallsPerPin: 3 };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Every outbound HTTPS request of the service, with its start and end (performance.now()), as
 * undici reports them on its diagnostics channels: created, and its answer complete or failed.
 * (The bench's own client uses node:http, so only the service's fetch calls are seen.)
 */
const outbound: { start: number; end: number }[] = [];
const outboundStarts = new Map<object, number>();
subscribe("undici:request:create", (message) => {
  outboundStarts.set((message as { request: object }).request, performance.now());
});
const outboundEnded = (message: unknown): void => {
  const { request } = message as { request: object };
  const start = outboundStarts.get(request);
  if (start === undefined) return;
  outboundStarts.delete(request);
  outbound.push({ start, end: performance.now() });
};
subscribe("undici:request:trailers", outboundEnded);
subscribe("undici:request:error", outboundEnded);

/** The service's view of each `/api/pin` request: arrival and answer finished (performance.now()). */
const served = new Map<http.IncomingMessage, { start: number; end: number }>();
subscribe("http.server.request.start", (message) => {
  const { request } = message as { request: http.IncomingMessage };
  if (request.url === PIN_API_PATH && request.method === "POST") served.set(request, { start: performance.now(), end: Number.NaN });
});
subscribe("http.server.response.finish", (message) => {
  const window = served.get((message as { request: http.IncomingMessage }).request);
  if (window !== undefined) window.end = performance.now();
});

async function main(): Promise<void> {
  const world = await new PinWorld().start({ configurationCacheMs: 60_000 });
  const failures: string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const url = new URL(`${world.running.baseUrl}${PIN_API_PATH}`);

  const ask = (row: { id: string; nonce: string }): Promise<{ status: number; start: number; end: number }> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ requestId: row.id, nonce: row.nonce });
      const start = performance.now();
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          agent,
          headers: { origin: DYNAMICS_ORIGIN, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve({ status: response.statusCode ?? 0, start, end: performance.now() }));
        },
      );
      request.on("error", reject);
      request.end(body);
    });

  try {
    const agents: Agent[] = Array.from({ length: AGENTS }, () => world.agent());
    const agentFor = (n: number): Agent => agents[n % AGENTS] ?? agents[0] ?? world.agent();
    // Warm-up: each agent's first PIN (settings, auth code, technician id), then JIT and connections.
    for (const each of agents) {
      const first = await ask(world.request(each));
      if (first.status !== 200) throw new Error(`warm-up PIN failed with ${first.status}`);
    }
    for (let n = 0; n < 200; n += 1) await ask(world.request(agentFor(n)));

    const rows = Array.from({ length: MEASURED }, (_, n) => world.request(agentFor(n)));
    const dataverseBefore = world.dataverseCalls();
    const rescueBefore = world.rescue.calls.length;
    outbound.length = 0;
    served.clear();
    const results: { status: number; start: number; end: number }[] = [];
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    for (const [n, row] of rows.entries()) {
      const wait = started + (n * 1000) / RATE_PER_SECOND - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(ask(row).then((result) => void results.push(result)));
    }
    await Promise.all(inFlight);
    const dataverseCalls = world.dataverseCalls() - dataverseBefore;
    const rescueCalls = world.rescue.calls.length - rescueBefore;

    const refused = results.filter((r) => r.status !== 200).length;
    if (refused > 0) failures.push(`${refused} of ${MEASURED} PIN requests were refused`);
    const windows = [...served.values()].sort((a, b) => a.start - b.start);
    if (windows.length !== MEASURED) failures.push(`the service saw ${windows.length} PIN requests, not ${MEASURED}`);
    const overheads: number[] = [];
    let overlapping = 0;
    for (const [i, window] of windows.entries()) {
      const previous = windows[i - 1];
      const next = windows[i + 1];
      if ((previous !== undefined && previous.end > window.start) || (next !== undefined && next.start < window.end)) {
        overlapping += 1;
        continue;
      }
      const upstream = outbound.filter((o) => o.start >= window.start && o.end <= window.end).reduce((sum, o) => sum + (o.end - o.start), 0);
      overheads.push(window.end - window.start - upstream);
    }
    const totals = results.map((r) => r.end - r.start).sort((a, b) => a - b);
    overheads.sort((a, b) => a - b);
    const p99 = percentile(overheads, 99);
    console.log(
      `PIN requests at ${RATE_PER_SECOND}/s: ${MEASURED} sent, ${overheads.length} measured (${overlapping} overlapping left out); ` +
        `caller's wait p50 ${percentile(totals, 50).toFixed(2)} ms, p99 ${percentile(totals, 99).toFixed(2)} ms`,
    );
    console.log(`${p99 <= BUDGET.overheadP99Ms ? "✔" : "✖"} service overhead (time held minus outbound round trips): p50 ${percentile(overheads, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (budget ≤ ${BUDGET.overheadP99Ms} ms)`);
    if (!(p99 <= BUDGET.overheadP99Ms)) failures.push(`service overhead p99 ${p99.toFixed(2)} ms exceeds ${BUDGET.overheadP99Ms} ms`);
    if (overheads.length < MEASURED / 2) failures.push(`only ${overheads.length} of ${MEASURED} requests could be measured alone`);

    const perPin = dataverseCalls / MEASURED;
    console.log(
      `${perPin <= BUDGET.dataverseCallsPerPin ? "✔" : "✖"} Dataverse calls by the service per PIN (steady state): ${perPin.toFixed(2)} (${dataverseCalls} for ${MEASURED}; budget ≤ ${BUDGET.dataverseCallsPerPin}); ` +
        `Rescue calls per PIN: ${(rescueCalls / MEASURED).toFixed(2)}`,
    );
    if (perPin > BUDGET.dataverseCallsPerPin) failures.push(`${perPin.toFixed(2)} Dataverse calls per PIN exceed ${BUDGET.dataverseCallsPerPin}`);
  } finally {
    agent.destroy();
    await world.stop();
  }

  if (failures.length > 0) {
    console.error(`FAILED budgets:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
    process.exit(1);
  }
  console.log("all PIN broker budgets met");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
