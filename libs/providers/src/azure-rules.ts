import type { AzureSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ViolationReason, type FieldViolation } from "./field-violation.js";
import { validateRunner } from "./runner-rules.js";
import { checkString, printableToken, uuid } from "./string-rules.js";

/**
 * validateAzure appends the violations of an Azure spec found at `prefix`
 * (e.g. `spec.azure`) to `out`: `tenant_id` and `subscription_id` UUIDs in
 * every mode; exactly one auth method, where `service_principal` needs a
 * UUID `client_id` and a `client_secret` of 1 to 1024 printable characters,
 * and `runner` needs a runner id.
 */
export function validateAzure(out: FieldViolation[], prefix: string, spec: AzureSpec): void {
  checkString(out, `${prefix}.tenant_id`, spec.tenantId, { required: true, checks: [uuid] });
  checkString(out, `${prefix}.subscription_id`, spec.subscriptionId, { required: true, checks: [uuid] });
  switch (spec.auth.case) {
    case "servicePrincipal": {
      const principal = spec.auth.value;
      checkString(out, `${prefix}.service_principal.client_id`, principal.clientId, { required: true, checks: [uuid] });
      checkString(out, `${prefix}.service_principal.client_secret`, principal.clientSecret, {
        required: true,
        maxLength: 1024,
        checks: [printableToken],
      });
      break;
    }
    case "runner":
      validateRunner(out, `${prefix}.runner`, spec.auth.value);
      break;
    case undefined:
      out.push({
        field: `${prefix}.auth`,
        reason: ViolationReason.ONE_OF_REQUIRED,
        description: "one of service_principal or runner is required",
      });
      break;
  }
}
