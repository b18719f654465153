import type { StartSetupRequest } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { AwsSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { Provider, type AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { AWS_DEFAULT_REGION, awsRegionProblem } from "@planton/providers";
import { Violations } from "@planton/server";
import { checkName } from "../request-rules.js";
import type { ConnectionRow } from "../schema.js";
import { ALL_CAPABILITIES, capabilityName, isKnownCapability } from "./capabilities.js";

// The enum names as the wire spells them (AWS_CAPABILITY_EKS, ...).
const CAPABILITY_RULE = `must be one of: ${ALL_CAPABILITIES.map((c) => `AWS_CAPABILITY_${capabilityName(c).toUpperCase()}`).join(", ")}`;

/**
 * Checks a StartSetupRequest: for a new connection its name and account,
 * for a reconnect (`existing`, whose AWS spec is `current`) that name and
 * account are empty or unchanged; then the region and the capabilities.
 * Throws INVALID_ARGUMENT with every violation; returns the setup's region.
 */
export function checkStartRequest(request: StartSetupRequest, existing: ConnectionRow | undefined, current: AwsSpec | undefined): { region: string } {
  const v = new Violations();
  if (existing !== undefined) {
    v.check(existing.provider === Provider.AWS, "reconnect", "MISMATCH", "must name an AWS connection")
      .check(
        request.name === "" || request.name === existing.name,
        "name",
        "MISMATCH",
        "must be empty or the connection's current name when reconnecting (rename with UpdateConnection)",
      )
      .check(
        request.accountId === "" || request.accountId === current?.accountId,
        "account_id",
        "MISMATCH",
        "must be empty or the connection's account when reconnecting",
      );
  } else {
    checkName(v, "name", request.name);
    v.check(/^\d{12}$/.test(request.accountId), "account_id", request.accountId === "" ? "REQUIRED" : "PATTERN", "must be a 12-digit AWS account id");
  }
  const region = request.region !== "" ? request.region : current?.region || AWS_DEFAULT_REGION;
  // The known regions, not the shape: the link opens the console in this region, and a made-up one is a dead link.
  const regionProblem = awsRegionProblem(region);
  if (regionProblem !== undefined) v.check(false, "region", regionProblem.reason, regionProblem.description);
  // Each entry must be one of the ten: an unknown or UNSPECIFIED entry is refused, never
  // dropped, so "every capability" can only come from a list the caller sent empty.
  request.capabilities.forEach((c, i) => v.check(isKnownCapability(c), `capabilities[${i}]`, "ENUM", CAPABILITY_RULE));
  v.throwIfAny();
  return { region };
}

/** The capabilities a checked request grants: every one when the list is empty, else the listed ones in canonical order. */
export function requestedCapabilities(request: StartSetupRequest): AwsCapability[] {
  return request.capabilities.length === 0 ? [...ALL_CAPABILITIES] : ALL_CAPABILITIES.filter((c) => request.capabilities.includes(c));
}
