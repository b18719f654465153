import { RotationDueReason } from "@planton/proto/planton/connect/v1/connection_pb";

const DAY_MS = 86_400_000;

/** When a credential version is due for rotation (ROTATION_MAX_AGE_DAYS, ROTATION_EXPIRY_WARNING_DAYS). */
export interface RotationPolicy {
  /** A version older than this many days is due (age from the provider's creation time, else the seal time). */
  readonly maxAgeDays: number;
  /** A version that expires within this many days (or has expired) is due. */
  readonly expiryWarningDays: number;
}

/** The dates of a credential version that the thresholds look at. */
export interface CredentialDates {
  /** When the version was sealed; null when nothing secret is stored (runner mode). */
  readonly sealedAt: Date | null;
  /** The provider's creation time, when it reported one. */
  readonly createdAt: Date | null;
  /** The provider's expiry, when it reported one. */
  readonly expiresAt: Date | null;
}

/**
 * rotationDueReasons lists the thresholds of `policy` that a credential
 * version with `dates` has passed at `now`, in enum order. A connection with
 * nothing sealed is never due. The age counts from the provider's creation
 * time when known: a key created long before it was given to us is as old as
 * the provider says.
 */
export function rotationDueReasons(dates: CredentialDates, policy: RotationPolicy, now: Date): RotationDueReason[] {
  if (dates.sealedAt === null) return [];
  const reasons: RotationDueReason[] = [];
  const since = dates.createdAt ?? dates.sealedAt;
  if (now.getTime() - since.getTime() >= policy.maxAgeDays * DAY_MS) reasons.push(RotationDueReason.AGE);
  if (dates.expiresAt !== null && dates.expiresAt.getTime() - now.getTime() <= policy.expiryWarningDays * DAY_MS) reasons.push(RotationDueReason.EXPIRY);
  return reasons;
}

/** The policy's age threshold as a PostgreSQL interval literal. */
export function maxAgeInterval(policy: RotationPolicy): string {
  return `${policy.maxAgeDays} days`;
}

/** The policy's expiry warning as a PostgreSQL interval literal. */
export function expiryWarningInterval(policy: RotationPolicy): string {
  return `${policy.expiryWarningDays} days`;
}
