/** The record format this code writes; stored per row and bound into the AEAD. */
export const FORMAT_VERSION = 1;

/** Identifies the record a ciphertext belongs to. */
export interface RecordAddress {
  readonly orgId: string;
  readonly connectionId: string;
  readonly version: number;
}

const MAGIC = new TextEncoder().encode("planton.vault.credential");

/**
 * associatedData builds the AES-GCM associated data that binds a ciphertext to
 * its record: format version, organization, connection and version number. A
 * ciphertext copied into another row therefore fails authentication. The
 * encoding is length-prefixed, so no two addresses encode alike.
 */
export function associatedData(formatVersion: number, address: RecordAddress): Uint8Array {
  // writeUInt32BE would silently truncate 1.5 to 1: refuse what cannot be encoded exactly.
  if (!Number.isInteger(address.version) || address.version < 0 || address.version > 0xffffffff) {
    throw new RangeError("version must be an unsigned 32-bit integer");
  }
  const encoder = new TextEncoder();
  const org = encoder.encode(address.orgId);
  const connection = encoder.encode(address.connectionId);
  const out = Buffer.alloc(MAGIC.length + 1 + 2 + org.length + 2 + connection.length + 4);
  let offset = 0;
  out.set(MAGIC, offset);
  offset += MAGIC.length;
  offset = out.writeUInt8(formatVersion, offset);
  offset = out.writeUInt16BE(org.length, offset);
  out.set(org, offset);
  offset += org.length;
  offset = out.writeUInt16BE(connection.length, offset);
  out.set(connection, offset);
  offset += connection.length;
  out.writeUInt32BE(address.version, offset);
  return out;
}

/**
 * encryptionContext is the KMS encryption context of a record's data key:
 * organization and connection (the version is not known when the data key is
 * generated, and the AEAD binds it anyway). KMS logs the context in CloudTrail,
 * so it carries ids only.
 */
export function encryptionContext(address: Pick<RecordAddress, "orgId" | "connectionId">): Record<string, string> {
  return { org_id: address.orgId, connection_id: address.connectionId };
}
