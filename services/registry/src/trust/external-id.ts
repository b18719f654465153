import { randomBytes } from "node:crypto";

/**
 * newExternalId returns a fresh external id for a role's trust policy: 192
 * random bits as base64url behind a readable prefix, 38 characters, within
 * STS's `[\w+=,.@:/-]{2,1224}`. The platform generates it for every setup;
 * users never choose it (AWS's confused-deputy guidance).
 */
export function newExternalId(): string {
  return `planton-${randomBytes(24).toString("base64url")}`;
}
