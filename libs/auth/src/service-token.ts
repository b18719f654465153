import { readFile } from "node:fs/promises";
import { signDevToken } from "./dev-token.js";

/** Supplies the bearer token this service presents to other platform services. */
export interface ServiceTokenSource {
  token(): Promise<string>;
}

/**
 * createServiceTokenSource picks, in order: a token file (re-read when it may
 * have been rotated, e.g. a Kubernetes projected token), a fixed token, or a
 * short-lived `internal` token minted with the HS256 development secret.
 */
export function createServiceTokenSource(options: {
  subject: string;
  tokenFile?: string | undefined;
  token?: string | undefined;
  devSecret?: string | undefined;
}): ServiceTokenSource {
  if (options.tokenFile !== undefined) {
    const file = options.tokenFile;
    let cached: { value: string; readAt: number } | undefined;
    return {
      async token() {
        // Projected tokens rotate well before expiry; a minute-old read is fresh enough.
        if (cached === undefined || Date.now() - cached.readAt > 60_000) {
          cached = { value: (await readFile(file, "utf8")).trim(), readAt: Date.now() };
        }
        return cached.value;
      },
    };
  }
  if (options.token !== undefined) {
    const fixed = options.token;
    return { token: async () => fixed };
  }
  if (options.devSecret !== undefined) {
    const secret = options.devSecret;
    let minted: { value: string; until: number } | undefined;
    return {
      async token() {
        if (minted === undefined || Date.now() > minted.until) {
          minted = {
            value: await signDevToken(secret, { subject: options.subject, orgId: "platform", scopes: ["internal"], expiresIn: "15m" }),
            until: Date.now() + 10 * 60_000,
          };
        }
        return minted.value;
      },
    };
  }
  return {
    token: () => Promise.reject(new Error("no service token configured: set SERVICE_TOKEN_FILE or SERVICE_TOKEN")),
  };
}
