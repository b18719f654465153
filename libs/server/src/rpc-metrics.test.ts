import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { Registry } from "prom-client";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";
import { createRpcMetrics, rpcProtocolOf } from "./rpc-metrics.js";

describe("RPC metrics", () => {
  it("labels calls with the method's procedure, snake_case code and protocol; refused paths that are no method collapse to unknown", async () => {
    const registry = new Registry();
    const metrics = createRpcMetrics(registry, [Health]);
    const check = Health.method.check;
    metrics.started();
    metrics.finished(check, "grpc", 0 as Code, 0.002);
    metrics.started();
    metrics.finished(check, "connect", Code.DeadlineExceeded, 0.5);
    metrics.refused("/grpc.health.v1.Health/Check", "connect");
    metrics.refused("/evil.Service/org-marker-31", "grpc_web");
    const text = await registry.metrics();
    expect(text).toContain('planton_rpc_duration_seconds_count{procedure="/grpc.health.v1.Health/Check",code="ok",protocol="grpc"} 1');
    expect(text).toContain('planton_rpc_duration_seconds_count{procedure="/grpc.health.v1.Health/Check",code="deadline_exceeded",protocol="connect"} 1');
    expect(text).toContain("planton_rpc_in_flight 0");
    expect(text).toContain('planton_rpc_refused_total{procedure="/grpc.health.v1.Health/Check",protocol="connect"} 1');
    expect(text).toContain('planton_rpc_refused_total{procedure="unknown",protocol="grpc_web"} 1');
    expect(text).not.toContain("marker-31");
  });

  it("tells the protocol from the content type", () => {
    expect(rpcProtocolOf("application/grpc")).toBe("grpc");
    expect(rpcProtocolOf("application/grpc+proto")).toBe("grpc");
    expect(rpcProtocolOf("application/grpc-web+proto")).toBe("grpc_web");
    expect(rpcProtocolOf("application/json")).toBe("connect");
    expect(rpcProtocolOf("application/proto")).toBe("connect");
    expect(rpcProtocolOf(null)).toBe("connect");
  });
});
