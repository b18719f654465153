/** One entry of Azure's permissions list: what a role assignment at or above the scope allows, minus its exclusions. */
export interface AzurePermission {
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
}

/**
 * azureActionMatches says whether an Azure RBAC action pattern covers
 * `action`: compared case-insensitively, `*` standing for any run of
 * characters (slashes included), as Azure evaluates role definitions
 * (`*`, `Microsoft.Compute/*`, `*`+`/read` for every read, `Microsoft.Storage/storageAccounts/*`+`/read`).
 */
export function azureActionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

/**
 * azureAllows says whether `permissions` (the permissions API's `value`)
 * allow `action`: allowed when some one permission's `actions` cover it and
 * none of THAT permission's `notActions` do. A notAction only subtracts from
 * its own role: another role's grant still allows the action (Azure RBAC is
 * additive; notActions are not denies). Deny assignments are not in this
 * list and are not considered.
 */
export function azureAllows(permissions: readonly AzurePermission[], action: string): boolean {
  return permissions.some(
    (p) => p.actions.some((pattern) => azureActionMatches(pattern, action)) && !p.notActions.some((pattern) => azureActionMatches(pattern, action)),
  );
}
