/** The Client API dialogs, progress indicator and navigation the Request PIN command uses. */
import type { PinUi } from "../pin/session";

/** `Xrm.Navigation.openErrorDialog` with the agent's message and the technical details. */
export function xrmErrorDialog(message: string, details: string): PromiseLike<unknown> {
  return Xrm.Navigation.openErrorDialog({ message, details });
}

/** `pinPage`: the PIN dialog web resource, opened as a centred dialog. */
export function xrmPinUi(pinPage: string): PinUi {
  const { Navigation, Utility } = Xrm;
  return {
    progress: (message) => (message ? Utility.showProgressIndicator(message) : Utility.closeProgressIndicator()),
    error: xrmErrorDialog,
    confirm: (title, text, confirmButtonLabel) => Navigation.openConfirmDialog({ title, text, confirmButtonLabel }).then((result) => result.confirmed),
    openRecord: async (entityName, entityId) => {
      await Navigation.openForm({ entityName, entityId });
    },
    openPinDialog: (data, title) =>
      Navigation.navigateTo({ pageType: "webresource", webresourceName: pinPage, data }, { target: 2, position: 1, width: 520, height: 620, title }),
  };
}
