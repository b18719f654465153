import { clone } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { type ConnectionSpec, ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { readString, writeField } from "./field-path.js";
import { SECRET_FIELD_PATHS, SECRET_PATHS } from "./secret-paths.js";

/**
 * SecretMergeError says a secret half does not fit the public half it was
 * merged into (another provider, or a secret for an auth method the public
 * spec no longer selects). It means a stored version and the connection row
 * disagree: a bug or tampering, never a caller mistake, so do not retry.
 */
export class SecretMergeError extends Error {
  override readonly name = "SecretMergeError";
}

/**
 * mergeSecrets is the inverse of {@link splitSecrets}: a copy of `publicSpec`
 * with the secret values of `secretSpec` put back at {@link SECRET_PATHS},
 * so `mergeSecrets(split.publicSpec, split.secretSpec)` equals the original
 * spec. Only secret paths are read from `secretSpec`. With no secret half
 * the copy is returned as is. Throws {@link SecretMergeError} when the halves
 * are for different providers or a secret would displace the auth method the
 * public spec selects. Neither input is modified.
 */
export function mergeSecrets(publicSpec: ConnectionSpec, secretSpec: ConnectionSpec | undefined): ConnectionSpec {
  const merged = clone(ConnectionSpecSchema, publicSpec);
  if (secretSpec === undefined) return merged;
  if (secretSpec.provider.case !== undefined && secretSpec.provider.case !== publicSpec.provider.case) {
    throw new SecretMergeError("the secret half is for another provider than the public half");
  }
  const mergedView = reflect(ConnectionSpecSchema, merged);
  const secretView = reflect(ConnectionSpecSchema, secretSpec);
  for (const [index, path] of SECRET_FIELD_PATHS.entries()) {
    const value = readString(secretView, path);
    if (value === "") continue;
    if (!writeField(mergedView, path, value)) {
      // Name the path, never the value.
      throw new SecretMergeError(`the secret ${SECRET_PATHS[index] ?? "field"} belongs to an auth method the public half does not select`);
    }
  }
  return merged;
}
