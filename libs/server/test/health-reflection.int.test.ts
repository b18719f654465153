import { describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import * as reflectionV1 from "@planton/proto/grpc/reflection/v1/reflection_pb";
import * as reflectionV1alpha from "@planton/proto/grpc/reflection/v1alpha/reflection_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
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
      caller().serverStream(Health.method.watch, { service }, {
        signal: controller.signal,
        onMessage(_message, i) {
          if (i === 0) env.t.server.health.set(service, ServingStatus.NOT_SERVING);
          else controller.abort();
        },
      }),
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
      caller().serverStream(Health.method.watch, { service: `not.registered.${index}` }, {
        signal: controller.signal,
        onMessage: () => controller.abort(),
      }),
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
    const symbols = [
      "planton.connect.v1.VaultService",
      "planton.connect.v1.VaultService.SealCredential",
      "planton.connect.v1.SealCredentialRequest",
    ];
    const results = await onEveryReflection(async (caller, method) => {
      const answers = await reflect(caller, method, symbols.map((value) => ({ case: "fileContainingSymbol", value })));
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
      const answers = await reflect(caller, method, symbols.map((value) => ({ case: "fileContainingSymbol", value })));
      return answers.map((answer) => descriptors(answer)[0]?.name ?? `${String(answer.messageResponse.case)}`);
    });
    expectSame(results, ["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"]);
  });

  it("file_by_filename takes the .proto file names that descriptors (and their imports) use", async () => {
    const names = ["planton/connect/v1/vault.proto", "grpc/health/v1/health.proto"];
    const results = await onEveryReflection(async (caller, method) => {
      const answers = await reflect(caller, method, names.map((value) => ({ case: "fileByFilename", value })));
      return answers.map((answer) => descriptors(answer)[0]?.name ?? `${String(answer.messageResponse.case)}`);
    });
    expectSame(results, names);
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
