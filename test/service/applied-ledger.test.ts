import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { AppliedLedger, LedgerError } from "../../src/service/applied-ledger";
import { makeTempDir, removeDir } from "./support/harness";

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe("applied-post ledger", () => {
  test("its own failures are named as the ledger's (not Dataverse's), with the error code", async () => {
    const notADirectory = path.join(dir, "applied");
    await writeFile(notADirectory, "a file where the ledger directory should be");
    const ledger = new AppliedLedger(notADirectory);
    await expect(ledger.has("42", "d")).rejects.toThrow(LedgerError);
    await expect(ledger.has("42", "d")).rejects.toThrow("applied-post ledger of session 42 could not be read (ENOTDIR)");
    await expect(ledger.record("42", "d")).rejects.toThrow("applied-post ledger of session 42 could not be written (ENOTDIR)");
  });

  test("a removed ledger directory is made again when a post is recorded", async () => {
    const ledger = new AppliedLedger(path.join(dir, "applied"));
    expect(await ledger.has("42", "d")).toBe(false);
    await ledger.record("42", "d");
    expect(await ledger.has("42", "d")).toBe(true);
  });
});
