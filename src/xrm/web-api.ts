/** `DataverseClient` over `Xrm.WebApi` (see src/dataverse/client.ts). */
import { DataverseError, normalizeId, type DataverseClient, type Row } from "../dataverse/client";
import { describeError } from "../errors";

function toDataverseError(operation: string, entity: string, error: unknown): DataverseError {
  const { errorCode } = (error ?? {}) as { errorCode?: unknown };
  const code = typeof errorCode === "number" || typeof errorCode === "string" ? errorCode : undefined;
  return new DataverseError(`${operation} ${entity}: ${describeError(error)}`, undefined, code);
}

export function xrmDataverseClient(webApi: Xrm.WebApi = Xrm.WebApi): DataverseClient {
  return {
    async retrieveMultiple(entity, query, maxPageSize) {
      try {
        const result = await webApi.retrieveMultipleRecords(entity, query, maxPageSize);
        return result.entities.map((entity: unknown) => entity as Row);
      } catch (error) {
        throw toDataverseError("retrieveMultiple", entity, error);
      }
    },
    async retrieve(entity, id, query) {
      try {
        const row: Row = await webApi.retrieveRecord(entity, normalizeId(id), query);
        return row;
      } catch (error) {
        throw toDataverseError("retrieve", entity, error);
      }
    },
    async create(entity, data) {
      try {
        const reference = await webApi.createRecord(entity, data);
        return normalizeId(reference.id);
      } catch (error) {
        throw toDataverseError("create", entity, error);
      }
    },
    async update(entity, id, data) {
      try {
        await webApi.updateRecord(entity, normalizeId(id), data);
      } catch (error) {
        throw toDataverseError("update", entity, error);
      }
    },
  };
}
