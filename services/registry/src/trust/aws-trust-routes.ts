import type { ServiceImpl } from "@connectrpc/connect";
import { Scopes } from "@planton/auth";
import { AwsTrustService, TemplateFormat } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { registerService, requestIdOf, Violations, type ServiceRegistration } from "@planton/server";
import { callerOf } from "../connection-routes.js";
import type { AwsTrust } from "./aws-trust.js";
import { renderTrustTemplate, TRUST_TEMPLATE_VERSION } from "./trust-template.js";

const TEMPLATE_FORMATS: ReadonlySet<TemplateFormat> = new Set([TemplateFormat.UNSPECIFIED, TemplateFormat.JSON, TemplateFormat.YAML]);

/**
 * createAwsTrustRoutes is the AwsTrustService implementation. CompleteSetup
 * is the one public method of the platform: the CloudFormation custom
 * resource calling it has no user token, so the setup's one-time token is
 * its authentication (checked in {@link AwsTrust.complete}).
 */
export function createAwsTrustRoutes(trust: AwsTrust, templateUrl: string): ServiceRegistration {
  const impl: ServiceImpl<typeof AwsTrustService> = {
    async startSetup(request, ctx) {
      return trust.start(callerOf(ctx), request, ctx.signal);
    },
    async completeSetup(request, ctx) {
      return { connectionId: await trust.complete(request, ctx.signal, requestIdOf(ctx)) };
    },
    async getSetup(request, ctx) {
      return trust.get(callerOf(ctx), request.setupId);
    },
    async *watchSetup(request, ctx) {
      yield* trust.watch(callerOf(ctx), request.setupId, ctx.signal);
    },
    async getTemplate(request) {
      // UNSPECIFIED (0) is documented as JSON; a number the enum does not define is refused, not defaulted.
      new Violations()
        .check(TEMPLATE_FORMATS.has(request.format), "format", "ENUM", "must be TEMPLATE_FORMAT_JSON or TEMPLATE_FORMAT_YAML (or unset for JSON)")
        .throwIfAny();
      const yaml = request.format === TemplateFormat.YAML;
      return {
        version: TRUST_TEMPLATE_VERSION,
        body: renderTrustTemplate(yaml ? "yaml" : "json"),
        templateUrl,
        contentType: yaml ? "application/yaml" : "application/json",
      };
    },
  };
  return registerService(AwsTrustService, impl, {
    default: { scopes: [Scopes.connectionsRead] },
    methods: {
      StartSetup: { scopes: [Scopes.connectionsWrite] },
      CompleteSetup: { public: true },
    },
  });
}
