import { AuthorizationScopeSchema, type Authorization, type DefaultConnection } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ProviderSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { enumLabel } from "./enum-labels.js";
import { formatTime } from "./format-values.js";

/** AUTHORIZATION_COLUMNS are the headers of `planton connection auth` listings. */
export const AUTHORIZATION_COLUMNS = ["CONNECTION", "SCOPE", "ENVIRONMENT", "CREATED", "CREATED BY", "CONNECTION ID"] as const;

/** authorizationRow is one authorization; an organization-wide one shows `*` as its environment. */
export function authorizationRow(a: Authorization): string[] {
  return [
    a.connectionSlug,
    enumLabel(AuthorizationScopeSchema, a.scope),
    a.environment === "" ? "*" : a.environment,
    formatTime(a.createTime),
    a.createdBy,
    a.connectionId,
  ];
}

/** defaultConnectionFields is the KEY VALUE layout of a default connection. */
export function defaultConnectionFields(d: DefaultConnection): [string, string][] {
  return [
    ["PROVIDER", enumLabel(ProviderSchema, d.provider)],
    ["SCOPE", enumLabel(AuthorizationScopeSchema, d.scope)],
    ["ENVIRONMENT", d.environment === "" ? "*" : d.environment],
    ["CONNECTION", d.connectionSlug],
    ["CONNECTION ID", d.connectionId],
  ];
}
