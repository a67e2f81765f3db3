/**
 * The PIN broker's overall deadline (PIN_BROKER_DEADLINE_MS, src/service/retry-policy.ts): every
 * /api/pin is answered within it whatever Rescue does — each Rescue call gets what is left of it,
 * the POLLRATEEXCEEDED retry only when its wait still fits, and once it is spent the answer is
 * RESCUE_TIMEOUT, recorded on the row. Run at about a tenth of the production values (25 s, 20 s
 * per call, 1.1 s): the deadline 2.5 s, a Rescue call at most 1.5 s, the poll retry after 110 ms.
 */
import { describe, expect, test } from "vitest";
import { PinRequestStatus } from "../../src/model/schema";
import type { PinBrokerTimings } from "../../src/service/retry-policy";
import type { Agent } from "./support/pin-world";
import { usePinWorld } from "./support/use-pin-world";

// The outcome's reserve is half a second (not a tenth of 1 s): writing the row must fit it on a busy test machine.
const TIMINGS: PinBrokerTimings = { deadlineMs: 2_500, outcomeReserveMs: 500, rescueCallMs: 1_500, pollRetryDelayMs: 110, minRescueCallMs: 100 };
const world = usePinWorld({ pinBroker: { timings: TIMINGS } });

function agentWithStoredCode(): Agent {
  const agent = world.agent();
  world.fake.userSettings.push({ id: crypto.randomUUID(), userId: agent.id, ownerId: agent.id, techId: "4242", authCode: world.rescue.issueAuthCode(agent.email) });
  return agent;
}

async function timedAsk(row: { id: string; nonce: string }): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const answer = await world.askPin(row);
  return { status: answer.status, body: answer.body, ms: Date.now() - started };
}

describe("the PIN broker's deadline", () => {
  test("a slow auth code and then a slow PIN (each within its own 1.5 s): RESCUE_TIMEOUT within the 2.5 s deadline, recorded on the row — not a PIN after 2.8 s", async () => {
    const agent = world.agent();
    world.rescue.reply("requestAuthCodeSSO", { delayMs: 1_400 });
    world.rescue.reply("requestPINCode", { delayMs: 1_400 });
    const row = world.request(agent);
    const answer = await timedAsk(row);
    console.log(`slow auth code (1.4 s) then slow PIN (1.4 s): ${answer.status} ${JSON.stringify(answer.body)} after ${answer.ms} ms (deadline ${TIMINGS.deadlineMs} ms)`);
    expect([answer.status, answer.body.error]).toEqual([504, "RESCUE_TIMEOUT"]);
    expect(answer.ms).toBeLessThan(TIMINGS.deadlineMs);
    expect(answer.ms).toBeGreaterThanOrEqual(TIMINGS.deadlineMs - TIMINGS.outcomeReserveMs - 100);
    expect(world.rescue.calls.map((c) => c.method)).toEqual(["requestAuthCodeSSO", "requestPINCode"]);
    expect(world.fake.pinRequests.get(row.id)).toMatchObject({ status: PinRequestStatus.Failed, result: "RESCUE_TIMEOUT" });
    // The code Rescue issued in time was kept: the next PIN needs no new one.
    expect(world.fake.settingsOf(agent.id)?.authCode).toMatch(/^ac-/);
  });

  test("each Rescue call alone is still bounded by its own limit (1.5 s) when the deadline leaves more", async () => {
    const agent = agentWithStoredCode();
    world.rescue.reply("requestPINCode", { delayMs: 1_800 });
    const answer = await timedAsk(world.request(agent));
    expect([answer.status, answer.body.error]).toEqual([504, "RESCUE_TIMEOUT"]);
    expect(answer.ms).toBeGreaterThanOrEqual(TIMINGS.rescueCallMs - 50);
    expect(answer.ms).toBeLessThan(TIMINGS.deadlineMs - TIMINGS.outcomeReserveMs);
  });

  test("POLLRATEEXCEEDED late in the deadline: no retry when its wait would not leave a call its minimum; Rescue's word is the answer", async () => {
    const agent = world.agent();
    world.rescue.reply("requestAuthCodeSSO", { delayMs: 800 });
    world.rescue.reply("requestPINCode", { delayMs: 1_100, reply: "POLLRATEEXCEEDED" });
    const answer = await timedAsk(world.request(agent));
    expect([answer.status, answer.body.error]).toEqual([422, "POLLRATEEXCEEDED"]);
    expect(world.rescue.callsTo("requestPINCode")).toHaveLength(1);
    expect(answer.ms).toBeLessThan(TIMINGS.deadlineMs);
  });

  test("POLLRATEEXCEEDED early: one retry after the wait, and the PIN", async () => {
    const agent = agentWithStoredCode();
    world.rescue.reply("requestPINCode", "POLLRATEEXCEEDED");
    const answer = await timedAsk(world.request(agent));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const calls = world.rescue.callsTo("requestPINCode");
    expect(calls).toHaveLength(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(TIMINGS.pollRetryDelayMs - 5);
  });

  test("a slow Dataverse (700 ms a call) spends the deadline before Rescue is reached: the answer comes when it is due, and nothing is sent to Rescue", async () => {
    const agent = agentWithStoredCode();
    const row = world.request(agent);
    world.fake.latencyMs = 700; // read, claim, configuration, settings: 2.8 s before the PIN call
    let answer: Awaited<ReturnType<typeof timedAsk>>;
    try {
      answer = await timedAsk(row);
    } finally {
      world.fake.latencyMs = 0;
    }
    // The call that finds the time spent answers: the fourth Dataverse call is cut at the deadline (DATAVERSE_FAILED),
    // or, on a faster machine, the PIN call is never started (RESCUE_TIMEOUT).
    expect(["DATAVERSE_FAILED", "RESCUE_TIMEOUT"]).toContain(answer.body.error);
    expect(answer.ms).toBeLessThan(TIMINGS.deadlineMs + TIMINGS.outcomeReserveMs + 200);
    expect(world.rescue.calls).toHaveLength(0);
  });

  test("a Dataverse that does not answer cannot hold the answer past the deadline either: DATAVERSE_FAILED when it is due, nothing sent to Rescue", async () => {
    const agent = agentWithStoredCode();
    const row = world.request(agent);
    world.fake.latencyMs = 4_000; // every Dataverse answer comes after the deadline
    let answer: Awaited<ReturnType<typeof timedAsk>>;
    try {
      answer = await timedAsk(row);
    } finally {
      world.fake.latencyMs = 0;
    }
    expect([answer.status, answer.body.error]).toEqual([502, "DATAVERSE_FAILED"]);
    expect(answer.ms).toBeGreaterThanOrEqual(TIMINGS.deadlineMs - 100);
    expect(answer.ms).toBeLessThan(TIMINGS.deadlineMs + 1_000);
    expect(world.rescue.calls).toHaveLength(0);
  });
});
