import { ServingStatus, type HealthStatus } from "./health-service.js";
import type { HttpRoute } from "./http-route.js";

/** Path of the liveness route: 200 while the process serves, 503 once it shuts down. */
export const LIVENESS_PATH = "/healthz";
/** Path of the readiness route: 200 when every service is SERVING, else 503. */
export const READINESS_PATH = "/readyz";

/**
 * healthRoutes are plain HTTP mirrors of the gRPC health service on the
 * `PORT` listener, for Kubernetes `httpGet` probes and load balancers that
 * cannot speak gRPC. Unauthenticated like the health service; the body is a
 * small JSON document naming the statuses, never anything else.
 *
 * - `GET /healthz` is liveness: the status of "" (the whole server).
 * - `GET /readyz` is readiness: every service name the health service
 *   knows, plus the last result of each dependency probe.
 */
export function healthRoutes(health: HealthStatus, dependencies: () => Record<string, boolean>): HttpRoute[] {
  const send = (res: Parameters<HttpRoute["handle"]>[1], ok: boolean, body: unknown) => {
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(`${JSON.stringify(body)}\n`);
  };
  return [
    {
      method: "GET",
      path: LIVENESS_PATH,
      handle(_req, res) {
        const status = health.get("") ?? ServingStatus.NOT_SERVING;
        send(res, status === ServingStatus.SERVING, { status: ServingStatus[status] });
      },
    },
    {
      method: "GET",
      path: READINESS_PATH,
      handle(_req, res) {
        const services = Object.fromEntries(health.names().map((name) => [name, ServingStatus[health.get(name) ?? ServingStatus.NOT_SERVING]]));
        const ready = Object.values(services).every((status) => status === ServingStatus[ServingStatus.SERVING]);
        send(res, ready, { status: ready ? "SERVING" : "NOT_SERVING", services, dependencies: dependencies() });
      },
    },
  ];
}
