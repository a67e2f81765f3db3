/**
 * The PIN broker's test world as vitest hooks, apart from pin-world.ts so that the PIN broker bench
 * (a plain Node script, test/bench/pin-broker.bench.ts) can use the world without vitest.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { ServiceOverrides } from "./harness";
import { PinWorld } from "./pin-world";

/**
 * One world for a test file: started before its tests (with `overrides` for the service), stopped
 * after them; before each test the configuration row is as the admin saved it and the fake
 * Rescue's calls and scripted replies are cleared.
 */
export function usePinWorld(overrides: ServiceOverrides = {}): PinWorld {
  const world = new PinWorld();
  beforeAll(async () => {
    await world.start(overrides);
  });
  afterAll(async () => {
    await world.stop();
  });
  beforeEach(() => {
    world.configure();
    world.rescue.reset();
  });
  return world;
}
