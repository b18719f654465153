/**
 * The verifier's name in `grpc.health.v1.Health` (Check, Watch, `/readyz`).
 * The verifier has no RPC service, so its readiness (NATS reachable, where
 * its events come from) has a name of its own in the same namespace as the
 * other services'.
 */
export const VERIFIER_HEALTH_NAME = "planton.connect.v1.Verifier";
