import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { HealthCheckResponse_ServingStatus as ServingStatus, HealthCheckResponseSchema, Health } from "@planton/proto/grpc/health/v1/health_pb";
import { registerService, type ServiceRegistration } from "./service-registration.js";

export { ServingStatus };

/**
 * HealthStatus is the `grpc.health.v1.Health` service of one server. The
 * empty name "" is the server as a whole; every mounted service has its own
 * entry. Statuses start SERVING; shutdown() turns them all NOT_SERVING (so
 * load balancers stop routing before the listeners close) and ends every Watch
 * stream, which would otherwise hold a graceful shutdown open.
 *
 * "" is liveness and only shutdown changes it. The other names are
 * readiness: {@link startReadiness} sets them NOT_SERVING while a dependency
 * they need is unreachable, and SERVING again when it answers.
 */
export interface HealthStatus {
  readonly registration: ServiceRegistration;
  set(service: string, status: ServingStatus): void;
  get(service: string): ServingStatus | undefined;
  /** Every name with a status, "" first. */
  names(): string[];
  shutdown(): void;
}

/** Creates the health service for the named services (plus ""). */
export function createHealthStatus(serviceNames: readonly string[]): HealthStatus {
  const statuses = new Map<string, ServingStatus>([["", ServingStatus.SERVING]]);
  for (const name of serviceNames) statuses.set(name, ServingStatus.SERVING);
  const watchers = new Set<() => void>();
  const stopped = new AbortController();
  const notify = () => {
    for (const wake of watchers) wake();
  };

  const registration = registerService(
    Health,
    {
      check(request) {
        const status = statuses.get(request.service);
        if (status === undefined) throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
        return { status };
      },
      list() {
        const out: Record<string, ReturnType<typeof create<typeof HealthCheckResponseSchema>>> = {};
        for (const [name, status] of statuses) out[name] = create(HealthCheckResponseSchema, { status });
        return { statuses: out };
      },
      async *watch(request, context) {
        let last: ServingStatus | undefined;
        for (;;) {
          // Report a change before checking for the end, so a shutdown's
          // NOT_SERVING reaches watchers before their stream closes.
          const current = statuses.get(request.service) ?? ServingStatus.SERVICE_UNKNOWN;
          if (current !== last) {
            last = current;
            yield { status: current };
          }
          if (context.signal.aborted || stopped.signal.aborted) return;
          await new Promise<void>((resolve) => {
            const wake = () => {
              watchers.delete(wake);
              context.signal.removeEventListener("abort", wake);
              resolve();
            };
            watchers.add(wake);
            context.signal.addEventListener("abort", wake, { once: true });
          });
        }
      },
    },
    { default: { public: true } },
  );

  return {
    registration,
    set(service, status) {
      statuses.set(service, status);
      notify();
    },
    get: (service) => statuses.get(service),
    names: () => [...statuses.keys()],
    shutdown() {
      for (const name of statuses.keys()) statuses.set(name, ServingStatus.NOT_SERVING);
      notify();
      stopped.abort();
      notify();
    },
  };
}
