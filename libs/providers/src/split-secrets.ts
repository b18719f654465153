import { clone, create } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { type ConnectionSpec, ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { clearField, readString, writeField } from "./field-path.js";
import { SECRET_FIELD_PATHS } from "./secret-paths.js";

/** SplitSpec is a spec cut in two by {@link splitSecrets}. */
export interface SplitSpec {
  /** The spec with every secret field emptied; safe to store in the registry's tables. */
  readonly publicSpec: ConnectionSpec;
  /** Only the secret fields (and the provider and oneof cases that carry them); for the vault. Undefined when nothing is secret. */
  readonly secretSpec: ConnectionSpec | undefined;
}

/**
 * splitSecrets cuts a full spec into the part the registry may store and the
 * part only the vault may hold, along {@link SECRET_PATHS}. The public half
 * keeps its structure (e.g. an empty `inline_keys` still says the auth
 * mode); the secret half holds the non-empty secret values only, and is
 * undefined when there are none (runner mode). The input is not modified;
 * {@link mergeSecrets} is the inverse.
 */
export function splitSecrets(spec: ConnectionSpec): SplitSpec {
  const publicSpec = clone(ConnectionSpecSchema, spec);
  const secretSpec = create(ConnectionSpecSchema);
  const publicView = reflect(ConnectionSpecSchema, publicSpec);
  const secretView = reflect(ConnectionSpecSchema, secretSpec);
  let hasSecret = false;
  for (const path of SECRET_FIELD_PATHS) {
    const value = readString(publicView, path);
    if (value === "") continue;
    writeField(secretView, path, value);
    clearField(publicView, path);
    hasSecret = true;
  }
  return { publicSpec, secretSpec: hasSecret ? secretSpec : undefined };
}
