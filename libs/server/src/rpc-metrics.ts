import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The protocols a call arrives with, as the `protocol` label says them. */
export const RPC_PROTOCOLS = ["connect", "grpc", "grpc_web"] as const;

/** One of {@link RPC_PROTOCOLS}. */
export type RpcProtocol = (typeof RPC_PROTOCOLS)[number];

// Seconds: from a cached read (about a millisecond) to a provider check near its timeout.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// Code names as the `code` label says them: gRPC's canonical names in snake case ("ok", "not_found").
const CODE_LABELS: readonly string[] = Array.from({ length: 17 }, (_, code) =>
  code === 0 ? "ok" : Code[code]!.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase(),
);

type Observe = (seconds: number) => void;

/** The code of a call that succeeded (connect-es's `Code` has no member for it). */
const OK = 0 as Code;

/**
 * RpcMetrics records calls into `planton_rpc_duration_seconds` (a histogram;
 * its `_count` is the number of calls), `planton_rpc_in_flight` and
 * `planton_rpc_refused_total`. The
 * `procedure` label is only ever a method of a registered service (label
 * children are made per method object, never from the request path), so
 * its cardinality is the number of RPC methods the process serves.
 */
export interface RpcMetrics {
  /** A call started; pair with {@link RpcMetrics.finished}. */
  started(): void;
  /** A call of `method` ended with `code` (0 for OK) after `seconds`. */
  finished(method: DescMethod, protocol: RpcProtocol, code: Code, seconds: number): void;
  /** A call to `procedure` (`/package.Service/Method`) refused before dispatch (undecodable, bad headers). */
  refused(procedure: string, protocol: RpcProtocol): void;
}

/**
 * createRpcMetrics registers the RPC metrics in `registry` and prepares the
 * label children of every method of `services` for the OK code up front, so
 * the common call costs a map lookup and an observation (a series appears in
 * the scrape once its first call is observed).
 */
export function createRpcMetrics(registry: Registry, services: readonly DescService[]): RpcMetrics {
  const duration = new Histogram({
    name: "planton_rpc_duration_seconds",
    help: "Duration of RPCs handled, by procedure, gRPC code and protocol; _count is the number of RPCs.",
    labelNames: ["procedure", "code", "protocol"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({ name: "planton_rpc_in_flight", help: "RPCs being handled now.", registers: [registry] });
  const refusedTotal = new Counter({
    name: "planton_rpc_refused_total",
    help: "Calls refused by the listener before any interceptor ran (undecodable body, bad headers), by procedure and protocol.",
    labelNames: ["procedure", "protocol"] as const,
    registers: [registry],
  });
  // procedure -> protocol index -> code -> observe
  const children = new Map<string, Observe[][]>();
  const byMethod = new Map<DescMethod, Observe[][]>();
  const childrenOf = (procedure: string): Observe[][] => {
    let table = children.get(procedure);
    if (table === undefined) {
      table = RPC_PROTOCOLS.map(() => []);
      children.set(procedure, table);
    }
    return table;
  };
  const observer = (table: Observe[][], procedure: string, protocol: RpcProtocol, code: Code): Observe => {
    const row = table[RPC_PROTOCOLS.indexOf(protocol)]!;
    let observe = row[code];
    if (observe === undefined) {
      const child = duration.labels(procedure, CODE_LABELS[code] ?? "unknown", protocol);
      observe = (seconds) => child.observe(seconds);
      row[code] = observe;
    }
    return observe;
  };
  const known = new Set<string>();
  for (const service of services) {
    for (const method of service.methods) {
      const procedure = `/${service.typeName}/${method.name}`;
      known.add(procedure);
      const table = childrenOf(procedure);
      byMethod.set(method, table);
      for (const protocol of RPC_PROTOCOLS) observer(table, procedure, protocol, OK);
    }
  }
  return {
    started: () => inFlight.inc(),
    finished(method, protocol, code, seconds) {
      inFlight.dec();
      let table = byMethod.get(method);
      if (table === undefined) {
        // A method the process serves but was not listed (should not happen): still bounded, one per method.
        table = childrenOf(`/${method.parent.typeName}/${method.name}`);
        byMethod.set(method, table);
      }
      const observe = table[RPC_PROTOCOLS.indexOf(protocol)]![code] ?? observer(table, `/${method.parent.typeName}/${method.name}`, protocol, code);
      observe(seconds);
    },
    refused(procedure, protocol) {
      // Paths come from the listener's router, but never trust them: anything unlisted is "unknown".
      refusedTotal.inc({ procedure: known.has(procedure) ? procedure : "unknown", protocol });
    },
  };
}

/** The `protocol` label of a call, from its content type. */
export function rpcProtocolOf(contentType: string | null): RpcProtocol {
  if (contentType === null) return "connect";
  if (contentType.startsWith("application/grpc-web")) return "grpc_web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}
