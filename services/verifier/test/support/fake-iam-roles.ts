import { createHash, randomUUID } from "node:crypto";

/** A role the fake IAM can read back; see {@link FakeIamRoles.addRole}. */
export interface FakeIamRole {
  /** arn:<partition>:iam::<account>:role/<path><name>. */
  readonly roleArn: string;
  /** The trust policy as JSON (served URL-encoded, as IAM does). */
  readonly trustPolicy: unknown;
  /** Managed policies attached to the role (each added with addPolicy, or unknown to GetPolicy). */
  readonly attachedPolicyArns?: readonly string[];
  /** Inline policies by name, as JSON. */
  readonly inlinePolicies?: Readonly<Record<string, unknown>>;
  /**
   * Whether the role's own policies let its sessions read the role and its
   * policies (trust template v2's SelfInspectionPolicy); false is a v1 role:
   * every read answers AccessDenied.
   */
  readonly selfInspection: boolean;
}

/** A managed policy GetPolicy and GetPolicyVersion serve. */
export interface FakeIamPolicy {
  readonly arn: string;
  readonly document: unknown;
  readonly description?: string;
  /** The default version's id (default v1). */
  readonly versionId?: string;
}

/** Temporary credentials the fake STS issued (FakeSts.sessions()). */
export interface FakeIamSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly roleArn: string;
  readonly assumedRoleArn: string;
  readonly expiresAt: number;
}

/** Who signed a request: a long-term key's user, or a role session. */
export interface FakeIamCaller {
  readonly arn: string;
  /** The role of a session; undefined for a user's key. */
  readonly roleArn?: string;
}

/** The fake's answer to one role action ("hang": none at all). */
export type FakeIamAnswer =
  { readonly status: 200; readonly xml: string } | { readonly status: number; readonly code: string; readonly message: string } | "hang";

/** One role-read request, for tests to inspect. */
export interface FakeIamRoleCall {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  readonly caller: string;
}

/** The role-reading half of the fake IAM (FakeIam.roles). */
export interface FakeIamRoles {
  /** Adds (or replaces) a role. */
  addRole(role: FakeIamRole): void;
  /** Adds (or replaces) a managed policy. */
  addPolicy(policy: FakeIamPolicy): void;
  /** Accepts the fake STS's sessions as callers (their role is the caller's). */
  acceptSessions(source: () => readonly FakeIamSession[]): void;
  /** Serves list actions in pages of `n` (IAM may return fewer than MaxItems); undefined: MaxItems. */
  setPageSize(n: number | undefined): void;
  /** Answers `action` with 403 AccessDenied for every caller from now on (undefined action: none). */
  deny(action: string | undefined): void;
  /** Answers the next `n` requests for `action` with an error (throttle: 400 Throttling; 500: InternalFailure; hang: never). */
  failNext(action: string, kind: "throttle" | "500" | "hang", n?: number): void;
  /** Role-read requests received, oldest first. */
  calls(): readonly FakeIamRoleCall[];
  /** The session with this access key id, if it is one the fake STS issued. */
  session(accessKeyId: string): FakeIamSession | undefined;
  /** Whether `action` is one of the role reads this fake answers. */
  handles(action: string): boolean;
  answer(action: string, form: URLSearchParams, caller: FakeIamCaller): FakeIamAnswer;
}

const NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const ACTIONS = ["GetRole", "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy", "GetPolicy", "GetPolicyVersion"];
const CREATED = "2026-11-02T09:15:27Z";

/**
 * createFakeIamRoles answers IAM's role-reading actions as the IAM API
 * Reference documents them (Query protocol, API version 2010-05-08):
 *
 * - `GetRole` → GetRoleResponse/GetRoleResult/Role with Path, RoleName,
 *   RoleId, Arn, CreateDate, MaxSessionDuration and AssumeRolePolicyDocument
 *   URL-encoded (RFC 3986).
 * - `ListAttachedRolePolicies` → AttachedPolicies/member (PolicyName,
 *   PolicyArn), IsTruncated and Marker; `ListRolePolicies` → PolicyNames/member;
 *   both honour MaxItems and Marker.
 * - `GetRolePolicy` → PolicyName, RoleName, PolicyDocument (URL-encoded).
 * - `GetPolicy` → Policy (PolicyName, PolicyId, Arn, Path, DefaultVersionId,
 *   AttachmentCount, IsAttachable, Description, CreateDate, UpdateDate);
 *   `GetPolicyVersion` → PolicyVersion (Document URL-encoded, VersionId,
 *   IsDefaultVersion, CreateDate).
 * - Authorization as the template's SelfInspectionPolicy grants it: a role
 *   session may read its own role (by name) and managed policies that are
 *   AWS's or its account's; anything else is 403 AccessDenied "User: <caller>
 *   is not authorized to perform: iam:<Action> on resource: <resource>
 *   because no identity-based policy allows the iam:<Action> action".
 * - Missing entities are 404 NoSuchEntity with IAM's messages; a missing
 *   required parameter is 400 ValidationError.
 */
export function createFakeIamRoles(): FakeIamRoles {
  const roles = new Map<string, FakeIamRole>();
  const policies = new Map<string, FakeIamPolicy>();
  const log: FakeIamRoleCall[] = [];
  const failures: { action: string; kind: "throttle" | "500" | "hang"; left: number }[] = [];
  let sessions: () => readonly FakeIamSession[] = () => [];
  let pageSize: number | undefined;
  let denied: string | undefined;

  const nameOf = (roleArn: string) => roleArn.slice(roleArn.lastIndexOf("/") + 1);
  const accountOf = (arn: string) => /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];

  function answer(action: string, form: URLSearchParams, caller: FakeIamCaller): FakeIamAnswer {
    log.push({ action, params: Object.fromEntries([...form.entries()].filter(([k]) => k !== "Action" && k !== "Version")), caller: caller.arn });
    const failure = failures.find((f) => f.action === action && f.left > 0);
    if (failure) {
      failure.left -= 1;
      if (failure.kind === "hang") return "hang";
      return failure.kind === "throttle"
        ? { status: 400, code: "Throttling", message: "Rate exceeded" }
        : { status: 500, code: "InternalFailure", message: "We encountered an internal error. Please try again." };
    }
    const notAuthorized = (resource: string): FakeIamAnswer => ({
      status: 403,
      code: "AccessDenied",
      message: `User: ${caller.arn} is not authorized to perform: iam:${action} on resource: ${resource} because no identity-based policy allows the iam:${action} action`,
    });
    const own = caller.roleArn === undefined ? undefined : roles.get(caller.roleArn);
    const mayInspect = own?.selfInspection === true && denied !== action;

    if (action === "GetPolicy" || action === "GetPolicyVersion") {
      const arn = form.get("PolicyArn");
      if (!arn) return validation("policyArn");
      const account = /^arn:[^:]+:iam::(aws|\d{12}):policy\//.exec(arn)?.[1];
      if (!mayInspect || (account !== "aws" && account !== accountOf(caller.roleArn ?? ""))) return notAuthorized(`policy ${arn}`);
      const policy = policies.get(arn);
      if (policy === undefined) return noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
      const versionId = policy.versionId ?? "v1";
      const name = nameOf(arn);
      if (action === "GetPolicy") {
        return ok(
          action,
          `    <Policy>\n      <PolicyName>${xml(name)}</PolicyName>\n      <DefaultVersionId>${versionId}</DefaultVersionId>\n      <PolicyId>${policyId(arn)}</PolicyId>\n      <Path>/</Path>\n      <Arn>${xml(arn)}</Arn>\n      <AttachmentCount>1</AttachmentCount>\n      <PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>\n      <IsAttachable>true</IsAttachable>\n${policy.description ? `      <Description>${xml(policy.description)}</Description>\n` : ""}      <CreateDate>${CREATED}</CreateDate>\n      <UpdateDate>${CREATED}</UpdateDate>\n    </Policy>\n`,
        );
      }
      const wanted = form.get("VersionId");
      if (!wanted) return validation("versionId");
      if (wanted !== versionId) return noSuchEntity(`Policy ${arn} version ${wanted} does not exist or is not attachable.`);
      return ok(
        action,
        `    <PolicyVersion>\n      <Document>${rfc3986(JSON.stringify(policy.document))}</Document>\n      <IsDefaultVersion>true</IsDefaultVersion>\n      <VersionId>${versionId}</VersionId>\n      <CreateDate>${CREATED}</CreateDate>\n    </PolicyVersion>\n`,
      );
    }

    const roleName = form.get("RoleName");
    if (!roleName) return validation("roleName");
    // The self-inspection policy names the role's own ARN: any other role is denied before IAM looks it up.
    if (!mayInspect || own === undefined || nameOf(own.roleArn).toLowerCase() !== roleName.toLowerCase()) return notAuthorized(`role ${roleName}`);
    const role = own;
    switch (action) {
      case "GetRole":
        return ok(
          action,
          `    <Role>\n      <Path>${xml(pathOf(role.roleArn))}</Path>\n      <AssumeRolePolicyDocument>${rfc3986(JSON.stringify(role.trustPolicy))}</AssumeRolePolicyDocument>\n      <MaxSessionDuration>3600</MaxSessionDuration>\n      <RoleId>AROA${policyId(role.roleArn).slice(4)}</RoleId>\n      <RoleName>${xml(nameOf(role.roleArn))}</RoleName>\n      <Arn>${xml(role.roleArn)}</Arn>\n      <CreateDate>${CREATED}</CreateDate>\n    </Role>\n`,
        );
      case "ListAttachedRolePolicies":
        return page(
          action,
          form,
          role.attachedPolicyArns ?? [],
          (arn) => `      <member>\n        <PolicyName>${xml(nameOf(arn))}</PolicyName>\n        <PolicyArn>${xml(arn)}</PolicyArn>\n      </member>\n`,
          "AttachedPolicies",
        );
      case "ListRolePolicies":
        return page(action, form, Object.keys(role.inlinePolicies ?? {}), (name) => `      <member>${xml(name)}</member>\n`, "PolicyNames");
      case "GetRolePolicy": {
        const policyName = form.get("PolicyName");
        if (!policyName) return validation("policyName");
        const document = role.inlinePolicies?.[policyName];
        if (document === undefined) return noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
        return ok(
          action,
          `    <PolicyName>${xml(policyName)}</PolicyName>\n    <RoleName>${xml(nameOf(role.roleArn))}</RoleName>\n    <PolicyDocument>${rfc3986(JSON.stringify(document))}</PolicyDocument>\n`,
        );
      }
      default:
        return { status: 400, code: "InvalidAction", message: `Could not find operation ${action} for version 2010-05-08` };
    }
  }

  function page(action: string, form: URLSearchParams, items: readonly string[], member: (item: string) => string, list: string): FakeIamAnswer {
    const maxItems = Number(form.get("MaxItems") ?? "100");
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
      return {
        status: 400,
        code: "ValidationError",
        message: "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000",
      };
    }
    const marker = form.get("Marker");
    const start =
      marker === null
        ? 0
        : Number(
            Buffer.from(marker, "base64")
              .toString("utf8")
              .replace(/^offset:/, ""),
          );
    if (!Number.isInteger(start) || start < 0 || start > items.length) return { status: 400, code: "InvalidInput", message: "Invalid Marker." };
    const size = Math.min(maxItems, pageSize ?? maxItems);
    const slice = items.slice(start, start + size);
    const truncated = start + size < items.length;
    return ok(
      action,
      `    <${list}>\n${slice.map(member).join("")}    </${list}>\n    <IsTruncated>${truncated}</IsTruncated>\n${truncated ? `    <Marker>${Buffer.from(`offset:${start + size}`).toString("base64")}</Marker>\n` : ""}`,
    );
  }

  return {
    addRole(role) {
      roles.set(role.roleArn, role);
    },
    addPolicy(policy) {
      policies.set(policy.arn, policy);
    },
    acceptSessions(source) {
      sessions = source;
    },
    setPageSize(n) {
      pageSize = n;
    },
    deny(action) {
      denied = action;
    },
    failNext(action, kind, n = 1) {
      failures.push({ action, kind, left: n });
    },
    calls: () => [...log],
    session: (accessKeyId) => sessions().find((s) => s.accessKeyId === accessKeyId),
    handles: (action) => ACTIONS.includes(action),
    answer,
  };
}

function ok(action: string, inner: string): FakeIamAnswer {
  return {
    status: 200,
    xml: `<${action}Response xmlns="${NS}">\n  <${action}Result>\n${inner}  </${action}Result>\n  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`,
  };
}

function noSuchEntity(message: string): FakeIamAnswer {
  return { status: 404, code: "NoSuchEntity", message };
}

function validation(member: string): FakeIamAnswer {
  return {
    status: 400,
    code: "ValidationError",
    message: `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  };
}

// RFC 3986: everything but the unreserved characters is percent-encoded
// (encodeURIComponent leaves !'()* alone; IAM does not).
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function pathOf(roleArn: string): string {
  const resource = roleArn.slice(roleArn.indexOf(":role/") + ":role".length);
  return resource.slice(0, resource.lastIndexOf("/") + 1);
}

// A stable, IAM-looking unique id (ANPA + 17 of [A-Z0-9]).
function policyId(arn: string): string {
  return `ANPA${createHash("sha256").update(arn).digest("hex").toUpperCase().slice(0, 17)}`;
}
