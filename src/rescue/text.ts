/**
 * Rescue's field limits (requestPINCode, Rescue API guide). Rescue is an ASP.NET service: its
 * limits count UTF-16 code units, as .NET's `string.Length` and SQL Server's `nvarchar(n)` do;
 * values are cut to them with the product's one rule, `truncateText` (src/common/text.ts).
 *
 * These are Rescue's limits, not the product's columns: the session columns that receive the same
 * values back (`lmi_cfield0` …, `lmi_tracking0`) have their lengths in src/model/session.ts.
 */

/** Maximum lengths of the requestPINCode fields (Rescue API guide). */
export const RESCUE_FIELD_LIMITS = {
  cfield0: 64,
  cfield1: 512,
  cfield2: 512,
  cfield3: 256,
  cfield4: 64,
  cfield5: 64,
  tracking0: 64,
} as const;
