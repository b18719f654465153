import type { ServiceImpl } from "@connectrpc/connect";
import { Scopes } from "@planton/auth";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { registerService, type ServiceRegistration } from "@planton/server";
import { callerOf } from "./connection-routes.js";
import type { Runners } from "./runners.js";

/** createRunnerRoutes is the RunnerService implementation. */
export function createRunnerRoutes(runners: Runners): ServiceRegistration {
  const impl: ServiceImpl<typeof RunnerService> = {
    async registerRunner(request, ctx) {
      return runners.register(callerOf(ctx), request.name, request.identity);
    },
    async getRunner(request, ctx) {
      return { runner: await runners.get(callerOf(ctx), request.runnerId) };
    },
    async listRunners(request, ctx) {
      return runners.list(callerOf(ctx), request.pageSize, request.pageToken);
    },
    async deleteRunner(request, ctx) {
      await runners.remove(callerOf(ctx), request.runnerId);
      return {};
    },
  };
  return registerService(RunnerService, impl, {
    default: { scopes: [Scopes.connectionsWrite] },
    methods: {
      GetRunner: { scopes: [Scopes.connectionsRead] },
      ListRunners: { scopes: [Scopes.connectionsRead] },
    },
  });
}
