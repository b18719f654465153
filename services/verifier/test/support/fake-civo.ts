import { bearer, sendJson, startFakeServer, type FakeControls } from "./fake-server-kit.js";

/** A local Civo `GET /v2/regions`, answering as reference §5 documents. */
export interface FakeCivo extends FakeControls {
  /** The only API key accepted. */
  setApiKey(key: string): void;
  /** The region codes listed (the first is `default: true`). */
  setRegions(codes: string[]): void;
  /** Answer unknown keys with the older `requires_authentication` body instead of `database_account_not_found`. */
  useLegacyAuthError(on: boolean): void;
}

/** Starts the fake; point `civo` at `url`. */
export async function startFakeCivo(): Promise<FakeCivo> {
  let apiKey = "";
  let regions = ["LON1", "FRA1", "NYC1"];
  let legacyAuthError = false;
  const controls = await startFakeServer({
    failureBody: (status) => (status === 429 ? { code: "too_many_requests", reason: "Rate limit exceeded" } : { status: 500, reason: "Internal server error" }),
    handle(req, _body, res) {
      // The ?region= query is ignored, as on the real route.
      if (req.method !== "GET" || new URL(req.url ?? "/", "http://x").pathname !== "/v2/regions")
        return sendJson(res, 404, { code: "not_found", reason: "Not found" });
      const key = bearer(req);
      if (!key || key !== apiKey) {
        return legacyAuthError
          ? sendJson(res, 401, { result: "requires_authentication", status: 401 })
          : sendJson(res, 401, { code: "database_account_not_found", reason: "Failed to find the account within the internal database" });
      }
      return sendJson(
        res,
        200,
        regions.map((code, i) => ({
          code,
          name: code,
          type: "civostack",
          out_of_capacity: false,
          country: "uk",
          country_name: "United Kingdom",
          features: { iaas: true, kubernetes: true },
          ...(i === 0 ? { default: true } : {}),
        })),
      );
    },
  });
  return Object.assign(controls, {
    setApiKey(key: string) {
      apiKey = key;
    },
    setRegions(codes: string[]) {
      regions = [...codes];
    },
    useLegacyAuthError(on: boolean) {
      legacyAuthError = on;
    },
  });
}
