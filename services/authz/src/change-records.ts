import { timestampDate } from "@bufbuild/protobuf/wkt";
import { scrubText } from "@planton/logging";
import { RotationDueReason } from "@planton/proto/planton/connect/v1/connection_pb";
import type { Event } from "@planton/proto/planton/connect/v1/events_pb";
import { AuthMode, AwsCapability, Provider, RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import { isRegistryChangeKind } from "./audit-kinds.js";
import type { AuditRecord } from "./audit-log.js";

/**
 * changeRecordOf maps a registry event that reports a change to its audit
 * record, or undefined for events that are not changes (e.g.
 * connection.reverify). The record's id is the event's id and its time the
 * event's time, so a redelivered event maps to the same record. Events carry
 * no secrets and the summary holds names, ids, paths and versions only (and
 * passes the log scrubber besides).
 */
export function changeRecordOf(event: Event): AuditRecord | undefined {
  if (!isRegistryChangeKind(event.kind) || event.id === "" || event.orgId === "") return undefined;
  const base = {
    id: event.id,
    time: event.occurTime ? timestampDate(event.occurTime) : new Date(),
    orgId: event.orgId,
    actor: event.actor,
    kind: event.kind,
    requestId: event.requestId,
  };
  const fields = fieldsOf(event);
  return { ...base, ...fields, summary: scrubText(fields.summary) };
}

type ChangeFields = Pick<AuditRecord, "connectionId" | "target" | "provider" | "credentialVersion"> & { summary: string };

function fieldsOf(event: Event): ChangeFields {
  const payload = event.payload;
  switch (payload.case) {
    case "connection": {
      const c = payload.value;
      const parts = [`name=${c.name}`, `slug=${c.slug}`, `auth_mode=${AuthMode[c.authMode] ?? c.authMode}`];
      if (event.kind === "connection.updated" || event.kind === "connection.rotated") {
        parts.push(`paths=${c.updatePaths.join(",")}`);
        if (c.previousName !== "") parts.push(`previous_name=${c.previousName}`);
      }
      if (event.kind === "connection.rotated") parts.push(`credential_version=${c.credentialVersion}`, `previous_version=${c.previousCredentialVersion}`);
      else if (event.kind !== "connection.deleted") parts.push(`credential_version=${c.credentialVersion}`);
      if (event.kind === "connection.deleted") parts.push(`forced=${c.forced}`);
      return { connectionId: c.connectionId, target: c.connectionId, provider: c.provider, credentialVersion: c.credentialVersion, summary: parts.join(" ") };
    }
    case "verified": {
      const v = payload.value;
      const summary = v.ok
        ? `result=verified credential_version=${v.credentialVersion}`
        : `result=failed reason=${v.reason} credential_version=${v.credentialVersion}`;
      return { connectionId: v.connectionId, target: v.connectionId, credentialVersion: v.credentialVersion, summary };
    }
    case "rotationDue": {
      const r = payload.value;
      const parts = [`slug=${r.slug}`, `reason=${RotationDueReason[r.reason] ?? r.reason}`, `credential_version=${r.credentialVersion}`];
      if (r.sealTime) parts.push(`sealed=${timestampDate(r.sealTime).toISOString()}`);
      if (r.createTime) parts.push(`created=${timestampDate(r.createTime).toISOString()}`);
      if (r.expireTime) parts.push(`expires=${timestampDate(r.expireTime).toISOString()}`);
      return { connectionId: r.connectionId, target: r.connectionId, provider: r.provider, credentialVersion: r.credentialVersion, summary: parts.join(" ") };
    }
    case "runner": {
      const r = payload.value;
      const parts = [`name=${r.name}`, `identity_kind=${RunnerIdentityKind[r.identityKind] ?? r.identityKind}`];
      if (r.updatePaths.length > 0) parts.push(`paths=${r.updatePaths.join(",")}`);
      return { target: r.runnerId, summary: parts.join(" ") };
    }
    case "awsTrustStarted": {
      const t = payload.value;
      const capabilities = t.capabilities.map((c) => AwsCapability[c] ?? String(c)).join(",");
      const expires = t.expireTime ? timestampDate(t.expireTime).toISOString() : "";
      const summary = `connection=${t.slug} account_id=${t.accountId} region=${t.region} capabilities=${capabilities} reconnect=${t.reconnect} expires=${expires}`;
      return { connectionId: t.connectionId, target: t.setupId, provider: Provider.AWS, summary };
    }
    case "awsTrust": {
      const t = payload.value;
      const summary = `connection=${t.slug} account_id=${t.accountId} role_arn=${t.roleArn} stack_id=${t.stackId} credential_version=${t.credentialVersion} previous_version=${t.previousCredentialVersion} reconnect=${t.reconnect}`;
      return { connectionId: t.connectionId, target: t.setupId, provider: Provider.AWS, credentialVersion: t.credentialVersion, summary };
    }
    default:
      return { summary: "" };
  }
}
