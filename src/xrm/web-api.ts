/** `DataverseClient` over `Xrm.WebApi` (see src/dataverse/client.ts). */
import { DataverseError, normalizeId, type DataverseClient, type Row } from "../dataverse/client";
import { describeError } from "../errors";

function toDataverseError(operation: string, entity: string, error: unknown): DataverseError {
  const { errorCode } = (error ?? {}) as { errorCode?: unknown };
  const code = typeof errorCode === "number" || typeof errorCode === "string" ? errorCode : undefined;
  return new DataverseError(`${operation} ${entity}: ${describeError(error)}`, undefined, code);
}

export function xrmDataverseClient(webApi: Xrm.WebApi = Xrm.WebApi): DataverseClient {
  /** Runs one Web API call; a rejection becomes a DataverseError naming the operation and table. */
  async function call<T>(operation: string, entity: string, run: () => PromiseLike<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDataverseError(operation, entity, error);
    }
  }
  return {
    retrieveMultiple: (entity, query, maxPageSize) =>
      call("retrieveMultiple", entity, () => webApi.retrieveMultipleRecords(entity, query, maxPageSize)).then((result) => result.entities.map((row: unknown) => row as Row)),
    retrieve: (entity, id, query) => call("retrieve", entity, (): PromiseLike<Row> => webApi.retrieveRecord(entity, normalizeId(id), query)),
    create: (entity, data) => call("create", entity, () => webApi.createRecord(entity, data)).then((reference) => normalizeId(reference.id)),
    update: async (entity, id, data) => {
      await call("update", entity, () => webApi.updateRecord(entity, normalizeId(id), data));
    },
  };
}
