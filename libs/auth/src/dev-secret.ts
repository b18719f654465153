import { randomBytes } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * loadOrCreateDevSecret returns the development HS256 secret kept in
 * `<dataDir>/dev-jwt-secret` (mode 0600), creating a random 256-bit one on
 * first start. Used only when neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is
 * set, so `npm start` works with no configuration and tokens survive restarts.
 * `fileName` names another such secret (e.g. the AWS trust callback key).
 */
export async function loadOrCreateDevSecret(dataDir: string, fileName = "dev-jwt-secret"): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, fileName);
  try {
    const handle = await open(path, "wx", 0o600);
    const secret = randomBytes(32).toString("base64url");
    await handle.writeFile(`${secret}\n`);
    await handle.close();
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return (await readFile(path, "utf8")).trim();
  }
}
