/**
 * Reproducible zips: entries in a fixed order with a fixed time stamp and fixed compression, so
 * the same commit always gives byte-identical solution files.
 */
import { strToU8, unzipSync, zipSync, type Zippable } from "fflate";

/**
 * Fixed entry time, 2000-01-01 00:00, made when zipping with the local-time constructor: fflate
 * writes DOS time from the Date's local fields, so this gives the same bytes in every time zone.
 */
function fixedEntryTime(): Date {
  return new Date(2000, 0, 1, 0, 0, 0);
}

export type ZipEntries = readonly (readonly [name: string, content: Uint8Array | string])[];

export function createZip(entries: ZipEntries): Uint8Array {
  const mtime = fixedEntryTime();
  const files: Zippable = {};
  for (const [name, content] of entries) {
    files[name] = [typeof content === "string" ? strToU8(content) : content, { mtime, level: 9 }];
  }
  return zipSync(files, { mtime, level: 9 });
}

/** Entry name → bytes. */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(bytes)));
}
