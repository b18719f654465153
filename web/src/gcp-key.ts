/** What the console learned from a chosen GCP key file, or why it is not one. */
export type GcpKeyFile =
  | { readonly ok: true; readonly keyBase64: string; readonly projectId: string; readonly clientEmail: string }
  | { readonly ok: false; readonly problem: string };

/** The server's bound on key_base64 is 16 KiB of base64; a real key is about 3 KiB. */
const MAX_KEY_BYTES = 12 * 1024;

/**
 * readGcpKeyFile checks that the text of a chosen file is a GCP
 * service-account JSON key and base64-encodes it, in the browser: the key
 * goes nowhere but into the CreateConnection request. The server checks it
 * again (and parses the private key); this only catches the wrong file.
 */
export function readGcpKeyFile(text: string): GcpKeyFile {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > MAX_KEY_BYTES) return { ok: false, problem: "This file is too large to be a service-account key." };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: "This file is not JSON. Choose the JSON key downloaded from the GCP console." };
  }
  if (typeof parsed !== "object" || parsed === null) return { ok: false, problem: "This file is not a service-account key." };
  const key = parsed as Record<string, unknown>;
  if (key["type"] !== "service_account") return { ok: false, problem: 'This is not a service-account key (its "type" is not "service_account").' };
  for (const name of ["project_id", "client_email", "private_key_id", "private_key"]) {
    if (typeof key[name] !== "string" || key[name] === "") return { ok: false, problem: `The key has no "${name}".` };
  }
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return { ok: true, keyBase64: btoa(binary), projectId: key["project_id"] as string, clientEmail: key["client_email"] as string };
}
