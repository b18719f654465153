import { decodeBinaryHeader, encodeBinaryHeader } from "@connectrpc/connect";
import { Metadata } from "@grpc/grpc-js";

/**
 * Converts grpc-js request metadata to the `Headers` a connect-es handler
 * sees. Binary (`-bin`) values are base64 encoded, as connect-node does for
 * gRPC requests, so `decodeBinaryHeader` works the same behind both listeners.
 */
export function metadataToHeaders(metadata: Metadata): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    for (const value of values) {
      headers.append(key, typeof value === "string" ? value : encodeBinaryHeader(value));
    }
  }
  return headers;
}

// Set by grpc-js itself from the status it sends; copying them would duplicate.
const RESERVED = new Set(["grpc-status", "grpc-message", "content-type", "te", "grpc-encoding", "grpc-accept-encoding"]);

/** Converts handler response headers or trailers to grpc-js metadata. */
export function headersToMetadata(headers: Headers): Metadata {
  const metadata = new Metadata();
  headers.forEach((value, key) => {
    if (RESERVED.has(key)) return;
    if (key.endsWith("-bin")) {
      for (const part of value.split(",")) {
        metadata.add(key, Buffer.from(decodeBinaryHeader(part.trim())));
      }
    } else {
      metadata.add(key, value);
    }
  });
  return metadata;
}
