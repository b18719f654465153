/**
 * childServiceEnv is the environment a test or benchmark gives a service
 * process it starts: PATH and HOME only from this process (no stray
 * DATABASE_URL, KMS_KEY_ID or AWS_* from the caller's shell), loopback
 * listeners on ports the system picks (PORT, GRPC_PORT, METRICS_PORT 0, so
 * runs never collide), its own `dataDir`, then `env` on top.
 */
export function childServiceEnv(dataDir: string, env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"],
    HOME: process.env["HOME"],
    HOST: "127.0.0.1",
    PORT: "0",
    GRPC_PORT: "0",
    METRICS_PORT: "0",
    DATA_DIR: dataDir,
    ...env,
  };
}
