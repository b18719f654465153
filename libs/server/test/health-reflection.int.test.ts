import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBinary, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import * as reflectionV1 from "@planton/proto/grpc/reflection/v1/reflection_pb";
import * as reflectionV1alpha from "@planton/proto/grpc/reflection/v1alpha/reflection_pb";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AwsTrustService } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { createTokenVerifier } from "@planton/auth";
import { registerService, startServer, type RunningServer } from "@planton/server";
import { captureLogs } from "@planton/testing";
import { within } from "./support/fake-vault.js";
import { useServerAndCallers } from "./support/test-server.js";
import { BIDI_CALLERS, CALLERS, onEveryCaller, expectSame, type Caller } from "./support/transports.js";

// Health and reflection are public (no token) and answer the same on both
// listeners, so grpcurl-style tools and load balancers work against either port.

const env = useServerAndCallers();

describe("grpc.health.v1.Health/Check without a token", () => {
  const check = async (service: string) =>
    onEveryCaller(env.callers, async (caller) => {
      const outcome = await caller.unary(Health.method.check, { service });
      if (outcome.error) return { code: Code[outcome.error.code], message: outcome.error.rawMessage };
      return { status: ServingStatus[outcome.message!.status] };
    });

  it('"" (the whole server) is SERVING', async () => {
    expectSame(await check(""), { status: "SERVING" });
  });

  it("a mounted service is SERVING", async () => {
    expectSame(await check(VaultService.typeName), { status: "SERVING" });
  });

  it("an unknown service is NOT_FOUND", async () => {
    expectSame(await check("no.such.Service"), { code: "NotFound", message: 'unknown service "no.such.Service"' });
  });

  it("reports a status set through server.health", async () => {
    env.t.server.health.set("check.toggled", ServingStatus.NOT_SERVING);
    expectSame(await check("check.toggled"), { status: "NOT_SERVING" });
    env.t.server.health.set("check.toggled", ServingStatus.SERVING);
    expectSame(await check("check.toggled"), { status: "SERVING" });
  });
});

describe.each(CALLERS.map((c, index) => [c.name, index] as const))("grpc.health.v1.Health/Watch over %s", (name, index) => {
  const caller = () => env.callers.find((c) => c.name === name)!;

  it("sends SERVING first, then the new status after server.health.set()", async () => {
    // A name of its own per transport: the health map is shared by the server.
    const service = `watch.test.${index}`;
    env.t.server.health.set(service, ServingStatus.SERVING);
    const controller = new AbortController();
    const outcome = await within(
      caller().serverStream(
        Health.method.watch,
        { service },
        {
          signal: controller.signal,
          onMessage(_message, i) {
            if (i === 0) env.t.server.health.set(service, ServingStatus.NOT_SERVING);
            else controller.abort();
          },
        },
      ),
      10_000,
      "two Watch messages",
    );
    expect(outcome.messages.map((m) => ServingStatus[m.status])).toEqual(["SERVING", "NOT_SERVING"]);
    // The stream only ended because the client cancelled it.
    expect(outcome.error?.code).toBe(Code.Canceled);
  });

  it("answers SERVICE_UNKNOWN (not an error) for a service it does not know yet", async () => {
    const controller = new AbortController();
    const outcome = await within(
      caller().serverStream(
        Health.method.watch,
        { service: `not.registered.${index}` },
        {
          signal: controller.signal,
          onMessage: () => controller.abort(),
        },
      ),
      10_000,
      "the first Watch message",
    );
    expect(outcome.messages.map((m) => ServingStatus[m.status])).toEqual(["SERVICE_UNKNOWN"]);
    expect(outcome.error?.code).toBe(Code.Canceled);
  });
});

// ---------------------------------------------------------------------------
// Server reflection

const VERSIONS = [
  ["v1", reflectionV1.ServerReflection.method.serverReflectionInfo],
  ["v1alpha", reflectionV1alpha.ServerReflection.method.serverReflectionInfo],
] as const;

type ReflectionMethod = (typeof VERSIONS)[number][1];
type Request = reflectionV1.ServerReflectionRequest["messageRequest"];
type Response = reflectionV1.ServerReflectionResponse;

/**
 * Sends `requests` on one reflection stream and returns the answers. The
 * client cancels once every answer arrived: how the stream ends is tested
 * on its own below.
 */
async function reflect(caller: Caller, method: ReflectionMethod, requests: Request[]): Promise<Response[]> {
  const outcome = await within(
    caller.bidi(
      method as typeof reflectionV1.ServerReflection.method.serverReflectionInfo,
      requests.map((messageRequest) => ({ host: "", messageRequest })),
      { finish: "cancel-after-answers" },
    ),
    5_000,
    "reflection answers",
  );
  expect(outcome.messages, outcome.error?.message).toHaveLength(requests.length);
  return outcome.messages;
}

/** The FileDescriptorProtos of a file_descriptor_response (none for any other answer). */
function descriptors(response: Response | undefined): FileDescriptorProto[] {
  if (response?.messageResponse.case !== "fileDescriptorResponse") return [];
  return response.messageResponse.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
}

/**
 * Runs `scenario` with both reflection versions on every caller that can
 * stream both ways (both listeners), keyed "version over caller".
 */
async function onEveryReflection<T>(scenario: (caller: Caller, method: ReflectionMethod) => Promise<T>): Promise<Record<string, T>> {
  const bidiCallers = env.callers.filter((c) => BIDI_CALLERS.some((b) => b.name === c.name));
  expect(bidiCallers.map((c) => c.listener).sort()).toEqual(["connect-node", "connect-node", "grpc-js", "grpc-js"]);
  const runs = VERSIONS.flatMap(([version, method]) =>
    bidiCallers.map(async (caller) => [`${version} over ${caller.name}`, await scenario(caller, method)] as const),
  );
  return Object.fromEntries(await Promise.all(runs));
}

describe("server reflection v1 and v1alpha on both listeners, without a token", () => {
  it("list_services names the mounted service, health and both reflection services", async () => {
    const results = await onEveryReflection(async (caller, method) => {
      const [answer] = await reflect(caller, method, [{ case: "listServices", value: "*" }]);
      if (answer?.messageResponse.case !== "listServicesResponse") return `unexpected ${String(answer?.messageResponse.case)}`;
      return answer.messageResponse.value.service.map((s) => s.name).sort();
    });
    expectSame(results, [
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "planton.connect.v1.VaultService",
    ]);
  });

  it("file_containing_symbol returns vault.proto for the service, one of its methods and one of its messages", async () => {
    const symbols = ["planton.connect.v1.VaultService", "planton.connect.v1.VaultService.SealCredential", "planton.connect.v1.SealCredentialRequest"];
    const results = await onEveryReflection(async (caller, method) => {
      const answers = await reflect(
        caller,
        method,
        symbols.map((value) => ({ case: "fileContainingSymbol", value })),
      );
      return answers.map((answer) => {
        const files = descriptors(answer);
        const vault = files[0];
        return {
          // Each answer echoes the request it answers, as the protocol requires.
          request: answer.originalRequest?.messageRequest.value,
          // The requested file comes first, its imports (if any) after it.
          file: vault?.name,
          package: vault?.package,
          methods: vault?.service.find((s) => s.name === "VaultService")?.method.map((m) => m.name),
        };
      });
    });
    expectSame(
      results,
      symbols.map((request) => ({
        request,
        file: "planton/connect/v1/vault.proto",
        package: "planton.connect.v1",
        methods: ["SealCredential", "OpenCredential", "DestroyCredential", "RewrapDataKeys"],
      })),
    );
  });

  it("file_containing_symbol also describes the health and reflection services it lists", async () => {
    const symbols = ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"];
    const results = await onEveryReflection(async (caller, method) => {
      const answers = await reflect(
        caller,
        method,
        symbols.map((value) => ({ case: "fileContainingSymbol", value })),
      );
      return answers.map((answer) => descriptors(answer)[0]?.name ?? `${String(answer.messageResponse.case)}`);
    });
    expectSame(results, ["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"]);
  });

  it("file_by_filename takes the .proto file names that descriptors (and their imports) use", async () => {
    const names = ["planton/connect/v1/vault.proto", "grpc/health/v1/health.proto"];
    const results = await onEveryReflection(async (caller, method) => {
      const answers = await reflect(
        caller,
        method,
        names.map((value) => ({ case: "fileByFilename", value })),
      );
      return answers.map((answer) => descriptors(answer)[0]?.name ?? `${String(answer.messageResponse.case)}`);
    });
    expectSame(results, names);
  });

  it("serves google/rpc/error_details.proto (and its imports), so clients decode BadRequest and ErrorInfo details", async () => {
    const results = await onEveryReflection(async (caller, method) => {
      const answers = await reflect(caller, method, [
        { case: "fileByFilename", value: "google/rpc/error_details.proto" },
        { case: "fileContainingSymbol", value: "google.rpc.BadRequest" },
        { case: "fileContainingSymbol", value: "google.rpc.ErrorInfo" },
      ]);
      return answers.map((answer) => {
        const files = descriptors(answer);
        const messages: string[] | undefined = files[0]?.messageType.map((m) => m.name).filter((n) => n === "BadRequest" || n === "ErrorInfo");
        return { files: files.map((f) => f.name), messages };
      });
    });
    const expected = { files: ["google/rpc/error_details.proto"], messages: ["BadRequest", "ErrorInfo"] };
    expectSame(results, [expected, expected, expected]);
  });

  it("an unknown symbol or file is an error_response NOT_FOUND and the stream stays usable", async () => {
    const results = await onEveryReflection(async (caller, method) => {
      const answers = await reflect(caller, method, [
        { case: "fileContainingSymbol", value: "planton.connect.v1.NoSuchThing" },
        { case: "fileContainingSymbol", value: "planton.connect.v1.VaultService.NoSuchMethod" },
        { case: "fileByFilename", value: "no/such/file.proto" },
        { case: "fileContainingSymbol", value: "planton.connect.v1.VaultService" },
      ]);
      return answers.map((answer) =>
        answer.messageResponse.case === "errorResponse"
          ? `error ${Code[answer.messageResponse.value.errorCode]}`
          : (descriptors(answer)[0]?.name ?? String(answer.messageResponse.case)),
      );
    });
    expectSame(results, ["error NotFound", "error NotFound", "error NotFound", "planton/connect/v1/vault.proto"]);
  });

  it("the stream ends with OK once the client half-closes, right after its requests or after the answers", async () => {
    const requests = [
      { host: "", messageRequest: { case: "listServices", value: "*" } },
      { host: "", messageRequest: { case: "fileContainingSymbol", value: "planton.connect.v1.VaultService" } },
    ] as const;
    const results = await onEveryReflection(async (caller, method) =>
      Promise.all(
        (["half-close", "half-close-after-answers"] as const).map(async (finish) => {
          // Two local answers take milliseconds; the bound only keeps a stream that never ends from hanging the test.
          const outcome = await within(
            caller.bidi(method as typeof reflectionV1.ServerReflection.method.serverReflectionInfo, [...requests], { finish }),
            3_000,
            `the end of the stream (${finish})`,
          ).catch((error: Error) => ({ messages: [], error: { message: error.message } }));
          return { finish, answers: outcome.messages.length, status: outcome.error ? outcome.error.message : "OK" };
        }),
      ),
    );
    expectSame(results, [
      { finish: "half-close", answers: 2, status: "OK" },
      { finish: "half-close-after-answers", answers: 2, status: "OK" },
    ]);
  });
});

describe("server reflection of every service of the contract", () => {
  // The shared test server mounts only the vault, whose file imports nothing:
  // this one mounts every service, so imports (timestamp, field_mask,
  // connection_spec, ...) have to be followed.
  let server: RunningServer;
  let callers: Caller[];
  beforeAll(async () => {
    const unimplemented = (service: DescService) => Object.fromEntries(service.methods.map((m) => [m.localName, () => Promise.reject(new Error("unused"))]));
    server = await startServer({
      host: "127.0.0.1",
      port: 0,
      grpcPort: 0,
      services: [ConnectionService, EnvironmentAuthorizationService, AwsTrustService, RunnerService, VaultService].map((service) =>
        registerService(service, unimplemented(service) as never, { default: { scopes: ["internal"] } }),
      ),
      verifier: createTokenVerifier({ kind: "hs256", secret: randomBytes(32).toString("base64url") }),
      mapError: () => undefined,
      logger: captureLogs().logger,
    });
    callers = CALLERS.filter((c) => BIDI_CALLERS.some((b) => b.name === c.name)).map((factory) => factory.create(server));
  });
  afterAll(async () => {
    for (const caller of callers ?? []) caller.close();
    await server?.shutdown(1_000);
  });

  it("serves every file a served file imports, transitively (v1 and v1alpha, both listeners)", async () => {
    const results: Record<string, unknown> = {};
    for (const [version, method] of VERSIONS) {
      for (const caller of callers) {
        results[`${version} over ${caller.name}`] = await closureOf(caller, method);
      }
    }
    expectSame(results, {
      missing: [],
      served: [
        "google/protobuf/duration.proto",
        "google/protobuf/field_mask.proto",
        "google/protobuf/timestamp.proto",
        "google/rpc/error_details.proto",
        "grpc/health/v1/health.proto",
        "grpc/reflection/v1/reflection.proto",
        "grpc/reflection/v1alpha/reflection.proto",
        "planton/connect/v1/authz_service.proto",
        "planton/connect/v1/aws_trust_service.proto",
        "planton/connect/v1/connection.proto",
        "planton/connect/v1/connection_service.proto",
        "planton/connect/v1/connection_spec.proto",
        "planton/connect/v1/provider.proto",
        "planton/connect/v1/runner_service.proto",
        "planton/connect/v1/vault.proto",
      ],
    });
  });
});

/**
 * Every file reachable from the listed services and the error details: each
 * file any answer names as an import is then asked for by name (an answer
 * already carries its imports, which would hide a file that cannot be asked
 * for on its own). `missing` lists the requests that found nothing.
 */
async function closureOf(caller: Caller, method: ReflectionMethod): Promise<{ missing: string[]; served: string[] }> {
  const [list] = await reflect(caller, method, [{ case: "listServices", value: "*" }]);
  const services = list?.messageResponse.case === "listServicesResponse" ? list.messageResponse.value.service.map((s) => s.name) : [];
  let pending: Request[] = [
    ...services.map((value): Request => ({ case: "fileContainingSymbol", value })),
    { case: "fileByFilename", value: "google/rpc/error_details.proto" },
  ];
  const asked = new Set<string>(["google/rpc/error_details.proto"]);
  const served = new Set<string>();
  const missing: string[] = [];
  while (pending.length > 0) {
    const answers = await reflect(caller, method, pending);
    const imported = new Set<string>();
    answers.forEach((answer, index) => {
      const files = descriptors(answer);
      const request = pending[index]!;
      if (files.length === 0 || (request.case === "fileByFilename" && files[0]?.name !== request.value)) missing.push(String(request.value));
      for (const file of files) {
        served.add(file.name);
        file.dependency.forEach((name) => imported.add(name));
      }
    });
    pending = [...imported].filter((name) => !asked.has(name)).map((value): Request => ({ case: "fileByFilename", value }));
    pending.forEach((request) => asked.add(String(request.value)));
  }
  return { missing, served: [...served].sort() };
}
