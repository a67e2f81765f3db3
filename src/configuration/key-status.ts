/**
 * The Session Key panel: what each index status of `lmi_sessionkey` means for the admin and
 * whether "Reactivate key" is offered (seed "Problemen oplossen": when the Session Key is not
 * Active, LogMeIn session data is not written to the Case).
 */
import type { EntityKeyState } from "../dataverse/entity-keys";
import type { FormatArg } from "../strings/translator";

export type PanelTone = "success" | "info" | "warning" | "error";

/** What the panel shows: the page turns the keys into text. */
export interface KeyPanel {
  tone: PanelTone;
  /** RESX key of the short status ("Active", "Pending", …). */
  statusKey: string;
  statusArgs: FormatArg[];
  /** RESX key of the explanation. */
  explanationKey: string;
  explanationArgs: FormatArg[];
  canReactivate: boolean;
}

/** The panel for a key state, or for a failed read (`detail`: the platform's message). */
export function keyPanel(state: EntityKeyState | { kind: "error"; detail: string }): KeyPanel {
  switch (state.kind) {
    case "status":
      switch (state.status) {
        case "Active":
          return panel("success", "Config.Key.Status.Active", "Config.Key.Explain.Active", false);
        case "Pending":
          return panel("warning", "Config.Key.Status.Pending", "Config.Key.Explain.Pending", true);
        case "InProgress":
          return panel("info", "Config.Key.Status.InProgress", "Config.Key.Explain.InProgress", true);
        case "Failed":
          return panel("error", "Config.Key.Status.Failed", "Config.Key.Explain.Failed", true);
      }
      break;
    case "missing":
      return panel("error", "Config.Key.Status.Missing", "Config.Key.Explain.Missing", false);
    case "unknown":
      return { ...panel("warning", "Config.Key.Status.Unknown", "Config.Key.Explain.Unknown", true), statusArgs: [state.raw] };
    case "error":
      return { ...panel("error", "Config.Key.Status.ReadFailed", "Config.Key.Explain.ReadFailed", false), explanationArgs: [state.detail] };
  }
  return panel("warning", "Config.Key.Status.Unknown", "Config.Key.Explain.Unknown", true);
}

function panel(tone: PanelTone, statusKey: string, explanationKey: string, canReactivate: boolean): KeyPanel {
  return { tone, statusKey, statusArgs: [], explanationKey, explanationArgs: [], canReactivate };
}
