import { Code } from "@connectrpc/connect";
import { codeFromString } from "@connectrpc/connect/protocol-connect";

/** What a raw call observed: the code name ("OK" on success) and, for Connect errors, the JSON error body. */
export interface RawOutcome {
  readonly code: string;
  readonly message: string;
  /** Field violations of a Connect JSON error, as `field reason` strings (BadRequest detail, debug form). */
  readonly violations: string[];
}

/**
 * postConnectUnary POSTs `body` as a Connect unary request: `application/proto`
 * for bytes, `application/json` for a string, exactly as given (no client
 * library in between, so malformed bodies reach the server as they are).
 */
export async function postConnectUnary(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<RawOutcome> {
  const contentType = typeof body === "string" ? "application/json" : "application/proto";
  const response = await fetch(url, { method: "POST", headers: { ...headers, "content-type": contentType, "connect-protocol-version": "1" }, body });
  if (response.ok) return { code: "OK", message: "", violations: [] };
  const json = (await response.json()) as {
    code?: string;
    message?: string;
    details?: { type: string; debug?: { fieldViolations?: { field: string; reason?: string }[] } }[];
  };
  const code = codeFromString(json.code ?? "");
  const violations = (json.details ?? [])
    .filter((d) => d.type === "google.rpc.BadRequest")
    .flatMap((d) => d.debug?.fieldViolations ?? [])
    .map((v) => `${v.field} ${v.reason ?? ""}`.trim());
  return { code: code === undefined ? `unknown code ${String(json.code)}` : Code[code], message: json.message ?? "", violations };
}

/** POSTs `body` as one gRPC-Web message; resolves with the grpc-status code name from the trailers. */
export async function postGrpcWebUnary(url: string, body: Uint8Array, headers: Record<string, string>): Promise<string> {
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, 5);
  const response = await fetch(url, { method: "POST", headers: { ...headers, "content-type": "application/grpc-web+proto" }, body: frame });
  const bytes = Buffer.from(await response.arrayBuffer());
  let status = response.headers.get("grpc-status");
  for (let offset = 0; offset + 5 <= bytes.length;) {
    const length = bytes.readUInt32BE(offset + 1);
    // The trailer frame has the high bit of its flags set.
    if ((bytes[offset]! & 0x80) !== 0) status = /grpc-status:\s*(\d+)/i.exec(bytes.subarray(offset + 5, offset + 5 + length).toString())?.[1] ?? status;
    offset += 5 + length;
  }
  return status === null ? "no status" : (Code[Number(status)] ?? `unknown code ${status}`);
}
