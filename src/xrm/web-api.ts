/** `DataverseClient` over `Xrm.WebApi` (see src/dataverse/client.ts). */
import { WebApiError, type DataverseClient } from "../dataverse/client";
import type { Row } from "../dataverse/odata";
import { describeError } from "../errors";
import { normalizeId } from "../common/guid";

function toWebApiError(operation: string, entity: string, error: unknown): WebApiError {
  const { errorCode } = (error ?? {}) as { errorCode?: unknown };
  const code = typeof errorCode === "number" || typeof errorCode === "string" ? errorCode : undefined;
  return new WebApiError(`${operation} ${entity}: ${describeError(error)}`, undefined, code);
}

export function xrmDataverseClient(webApi: Xrm.WebApi = Xrm.WebApi): DataverseClient {
  /** Runs one Web API call; a rejection becomes a WebApiError naming the operation and table. */
  async function call<T>(operation: string, entity: string, run: () => PromiseLike<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toWebApiError(operation, entity, error);
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
