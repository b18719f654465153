import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";

/**
 * startStsImitation answers the two STS Query actions the trust check makes,
 * as STS documents them (XML, AccessDenied 403), for the benchmark: every
 * role trusts the caller on condition of an ExternalId (AssumeRole without
 * one is refused, as a correct trust policy makes it), and GetCallerIdentity
 * reports the assumed role. It does not check signatures: the tests' fake STS
 * does; here only the cost of the verifier's own work matters.
 */
export async function startStsImitation(): Promise<{ url: string; close(): void }> {
  const sessions = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const form = new URLSearchParams(body);
      const xml = (status: number, text: string) => {
        res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": "bench" });
        res.end(text);
      };
      if (form.get("Action") === "AssumeRole") {
        const role = form.get("RoleArn") ?? "";
        if (!form.get("ExternalId")) {
          return xml(
            403,
            `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: sts:AssumeRole on resource: ${role}</Message></Error><RequestId>bench</RequestId></ErrorResponse>`,
          );
        }
        const account = /::(\d{12}):/.exec(role)?.[1] ?? "000000000000";
        const key = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
        const assumed = `arn:aws:sts::${account}:assumed-role/${role.split("/").pop()}/${form.get("RoleSessionName")}`;
        sessions.set(key, `${account} ${assumed}`);
        return xml(
          200,
          `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString("base64")}</SecretAccessKey><SessionToken>${randomBytes(64).toString("base64")}</SessionToken><Expiration>${new Date(Date.now() + 900_000).toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROABENCH:${form.get("RoleSessionName")}</AssumedRoleId><Arn>${assumed}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        );
      }
      const key = /Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "";
      const [account, arn] = (sessions.get(key) ?? "").split(" ");
      if (!account)
        return xml(
          403,
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>bench</RequestId></ErrorResponse>`,
        );
      return xml(
        200,
        `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AROABENCH:s</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}
