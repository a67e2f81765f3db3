/**
 * A fresh fake `Xrm` (xrm-mock) for form and ribbon script tests, with what xrm-mock leaves out:
 * - `Xrm.Utility.getResourceString` answers from the real RESX files in `webresources/`, in the
 *   user's language (so tests see the strings agents see);
 * - progress indicator calls are recorded instead of throwing;
 * - the user has a language, id and name.
 * Install further spies (WebApi, Navigation) after calling `initXrm()`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { vi } from "vitest";
import {
  ClientContextMock,
  ContextMock,
  FormItemMock,
  FormSelectorMock,
  ItemCollectionMock,
  UiMock,
  UserSettingsMock,
  XrmMockGenerator,
  type FormContextMock,
  type EventContextMock,
} from "xrm-mock";
import { parseResx } from "../../src/strings/resx";

const STRINGS_DIR = resolve(import.meta.dirname, "../../webresources/lmi_/strings");
const resxCache = new Map<number, Map<string, string>>();

/** The strings of one language, read from webresources/lmi_/strings/Strings.<lcid>.resx. */
export function resxStrings(lcid: 1033 | 1043): Map<string, string> {
  let table = resxCache.get(lcid);
  if (!table) {
    table = parseResx(readFileSync(resolve(STRINGS_DIR, `Strings.${lcid}.resx`), "utf8"));
    resxCache.set(lcid, table);
  }
  return table;
}

/** xrm-mock 3.6 predates `getSecurityRolePrivilegesInfo` in @types/xrm; add it. */
function userSettingsMock(components: ConstructorParameters<typeof UserSettingsMock>[0]): Xrm.UserSettings {
  return Object.assign(new UserSettingsMock(components), {
    getSecurityRolePrivilegesInfo: () => Promise.resolve({}),
  });
}

export interface InitXrmOptions {
  languageId?: 1033 | 1043;
  userId?: string;
  userName?: string;
  clientUrl?: string;
  entity?: { entityName: string; id?: string; attributes?: never };
  formType?: number;
}

/**
 * A form UI whose `getFormType()` answers `formType` (xrm-mock reads it from the current form of
 * the form selector) and that has the controls collection the attribute builders add to.
 */
function uiWithFormType(formType: number): UiMock {
  const form = new FormItemMock({ currentItem: true, formType, id: "{00000000-0000-0000-0000-000000000000}", label: "" });
  return new UiMock({
    controls: new ItemCollectionMock<Xrm.Controls.Control>([]),
    formSelector: new FormSelectorMock(new ItemCollectionMock<FormItemMock>([form])),
    tabs: new ItemCollectionMock<Xrm.Controls.Tab>([]),
  });
}

export interface XrmFixture {
  formContext: FormContextMock;
  eventContext: EventContextMock;
  progress: { shown: string[]; closed: number };
}

export function initXrm(options: InitXrmOptions = {}): XrmFixture {
  const languageId = options.languageId ?? 1033;
  const context = new ContextMock({
    clientContext: new ClientContextMock("Web", "Online"),
    clientUrl: options.clientUrl ?? "https://contoso.crm4.dynamics.com",
    orgUniqueName: "contoso",
    userSettings: userSettingsMock({
      isGuidedHelpEnabled: false,
      isHighContrastEnabled: false,
      isRTL: false,
      languageId,
      securityRolePrivileges: [],
      securityRoles: [],
      userId: options.userId ?? "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}",
      userName: options.userName ?? "Dana Agent",
    }),
  });
  XrmMockGenerator.initialise({
    context,
    entity: options.entity ? { entityName: options.entity.entityName, id: options.entity.id ?? "" } : undefined,
    ui: options.formType === undefined ? undefined : uiWithFormType(options.formType),
  });

  const progress = { shown: [] as string[], closed: 0 };
  vi.spyOn(Xrm.Utility, "showProgressIndicator").mockImplementation((message: string) => {
    progress.shown.push(message);
  });
  vi.spyOn(Xrm.Utility, "closeProgressIndicator").mockImplementation(() => {
    progress.closed += 1;
  });
  vi.spyOn(Xrm.Utility, "getResourceString").mockImplementation((webResourceName: string, key: string) => {
    if (webResourceName !== "lmi_/strings/Strings") return null as unknown as string;
    return resxStrings(languageId).get(key) ?? (null as unknown as string);
  });
  vi.spyOn(Xrm.Utility, "getGlobalContext").mockReturnValue(context);

  return { formContext: XrmMockGenerator.getFormContext(), eventContext: XrmMockGenerator.getEventContext(), progress };
}
