/**
 * The product's Dataverse tables, columns, choices and security names (DESIGN.md §5): the index
 * of src/model/. Each of the product's tables has its own module (`configuration.ts`,
 * `user-settings.ts`, `pin-request.ts`, `session.ts`), as has the Case (`incident.ts`), with its
 * columns in a `<table>-fields.ts` module and their types in `column-types.ts`. The build checks
 * them against the solution XML (src/packaging/solution-tables.ts) and stops on any difference,
 * so a name, type, length, choice value, key or relationship is written once, here, and matches
 * what Dataverse gets.
 *
 * Code that becomes a web resource imports the modules themselves, as namespaces, and reads the
 * names directly (`PinRequestFields.nonce`, not through an alias object such as
 * `const f = PinRequestFields`): esbuild then keeps only the names the bundle reads. Importing a
 * table from this index carries all of its facts (`Configuration.fields.serviceUrl` works too).
 *
 * Plain `as const` values (no `XrmEnum`, no `const enum`), so they survive `isolatedModules` and
 * esbuild unchanged.
 */
export * as Configuration from "./configuration";
export { Environment, type EnvironmentValue } from "./configuration";
export * as Incident from "./incident";
export * as PinRequest from "./pin-request";
export { PinRequestStatus, type PinRequestStatusValue } from "./pin-request";
export { SecurityNames } from "./security-names";
export * as Session from "./session";
export { SessionStatus, type SessionStatusValue } from "./session";
export { Account, Contact, EmailActivity, IncidentResolution, SystemUser } from "./standard-tables";
export * as UserSettings from "./user-settings";
