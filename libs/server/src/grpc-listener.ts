import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { Interceptor } from "@connectrpc/connect";
import { adaptService } from "./grpc-adapter.js";
import type { Listener } from "./listener.js";
import type { ServiceRegistration } from "./service-registration.js";

/** Options of {@link startGrpcListener}. */
export interface GrpcListenerOptions {
  host: string;
  port: number;
  services: readonly ServiceRegistration[];
  interceptors: Interceptor[];
  shutdownSignal: AbortSignal;
}

/**
 * startGrpcListener serves every registered service over native gRPC with
 * grpc-js (the fast path for platform services), through {@link adaptService}.
 */
export async function startGrpcListener(options: GrpcListenerOptions): Promise<Listener> {
  const server = new Server({
    "grpc.max_receive_message_length": 1024 * 1024,
    // Keep idle connections from platform services healthy behind load balancers.
    "grpc.keepalive_time_ms": 60_000,
    "grpc.keepalive_permit_without_calls": 1,
    // Kubernetes Services balance connections, not calls: recycling each
    // connection after a while lets clients spread onto new replicas.
    "grpc.max_connection_age_ms": 5 * 60_000,
    "grpc.max_connection_age_grace_ms": 30_000,
  });
  for (const registration of options.services) {
    const { definition, implementation } = adaptService(registration, {
      interceptors: options.interceptors,
      shutdownSignal: options.shutdownSignal,
    });
    server.addService(definition, implementation);
  }
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  return {
    port,
    async close(graceMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
