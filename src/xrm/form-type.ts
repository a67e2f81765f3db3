/**
 * `formContext.ui.getFormType()` values. `XrmEnum.FormType` is an ambient const enum, which
 * `isolatedModules` and esbuild do not inline, so the values are spelled here, once.
 */
export const FormType = { Undefined: 0, Create: 1, Update: 2, ReadOnly: 3, Disabled: 4, BulkEdit: 6 } as const;
