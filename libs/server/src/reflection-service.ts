import { createRegistry, toBinary, type DescFile, type DescService, type Registry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { file_google_rpc_error_details } from "@planton/proto/google/rpc/error_details_pb";
import * as v1 from "@planton/proto/grpc/reflection/v1/reflection_pb";
import * as v1alpha from "@planton/proto/grpc/reflection/v1alpha/reflection_pb";
import { registerService, type ServiceRegistration } from "./service-registration.js";

type ReflectionRequest = v1.ServerReflectionRequest | v1alpha.ServerReflectionRequest;

// google.rpc.Code values used in reflection error responses.
const NOT_FOUND = 5;
const UNIMPLEMENTED = 12;

/**
 * The files of the error detail types a response can carry
 * (`google.rpc.BadRequest`, `google.rpc.ErrorInfo`, ...): no service names
 * them, but a generic client needs them to decode `grpc-status-details-bin`
 * and Connect error details instead of printing base64.
 */
const ERROR_DETAIL_FILES: readonly DescFile[] = [file_google_rpc_error_details];

/**
 * createReflectionServices serves gRPC server reflection (v1 and the older
 * v1alpha that many tools still try first) for the given services and the
 * given extra files (by default {@link ERROR_DETAIL_FILES}), from the
 * descriptors protoc-gen-es embeds in the generated code. Every file one of
 * them imports is served too, transitively, so every name a served file
 * references resolves. Reflection exposes only contracts, never data, so it
 * is public like the health service.
 */
export function createReflectionServices(services: readonly DescService[], extraFiles: readonly DescFile[] = ERROR_DETAIL_FILES): ServiceRegistration[] {
  const all = [...services, v1.ServerReflection, v1alpha.ServerReflection];
  // Keyed by the .proto path (DescFile.name has no ".proto" suffix), the name
  // file_by_filename requests and FileDescriptorProto imports use.
  const files = new Map<string, DescFile>();
  const collect = (file: DescFile) => {
    const path = file.proto.name;
    if (files.has(path)) return;
    files.set(path, file);
    file.dependencies.forEach(collect);
  };
  all.forEach((service) => collect(service.file));
  extraFiles.forEach(collect);
  const registry = createRegistry(...files.values());
  const serviceNames = all.map((service) => service.typeName);

  const answer = (request: ReflectionRequest) => answerRequest(request, registry, files, serviceNames);
  const access = { default: { public: true } } as const;
  return [
    registerService(
      v1.ServerReflection,
      {
        async *serverReflectionInfo(requests) {
          for await (const request of requests) {
            yield { validHost: request.host, originalRequest: request, messageResponse: answer(request) };
          }
        },
      },
      access,
    ),
    registerService(
      v1alpha.ServerReflection,
      {
        async *serverReflectionInfo(requests) {
          for await (const request of requests) {
            yield { validHost: request.host, originalRequest: request, messageResponse: answer(request) };
          }
        },
      },
      access,
    ),
  ];
}

type Answer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

function answerRequest(request: ReflectionRequest, registry: Registry, files: ReadonlyMap<string, DescFile>, serviceNames: string[]): Answer {
  const notFound = (what: string): Answer => ({ case: "errorResponse", value: { errorCode: NOT_FOUND, errorMessage: `${what} not found` } });
  const withDependencies = (file: DescFile): Answer => {
    // The requested file first, then its transitive imports, as grpcurl expects.
    const ordered: DescFile[] = [];
    const visit = (f: DescFile) => {
      if (ordered.includes(f)) return;
      ordered.push(f);
      f.dependencies.forEach(visit);
    };
    visit(file);
    return { case: "fileDescriptorResponse", value: { fileDescriptorProto: ordered.map((f) => toBinary(FileDescriptorProtoSchema, f.proto)) } };
  };
  const request_ = request.messageRequest;
  switch (request_.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: serviceNames.map((name) => ({ name })) } };
    case "fileByFilename": {
      const file = files.get(request_.value);
      return file ? withDependencies(file) : notFound(`file "${request_.value}"`);
    }
    case "fileContainingSymbol": {
      const file = fileOfSymbol(registry, request_.value);
      return file ? withDependencies(file) : notFound(`symbol "${request_.value}"`);
    }
    case "fileContainingExtension": {
      const message = registry.getMessage(request_.value.containingType);
      const extension = message ? registry.getExtensionFor(message, request_.value.extensionNumber) : undefined;
      return extension ? withDependencies(extension.file) : notFound(`extension ${request_.value.containingType}(${request_.value.extensionNumber})`);
    }
    case "allExtensionNumbersOfType": {
      const message = registry.getMessage(request_.value);
      if (!message) return notFound(`type "${request_.value}"`);
      const numbers: number[] = [];
      for (const desc of registry) {
        if (desc.kind === "extension" && desc.extendee.typeName === message.typeName) numbers.push(desc.number);
      }
      return { case: "allExtensionNumbersResponse", value: { baseTypeName: message.typeName, extensionNumber: numbers } };
    }
    default:
      return { case: "errorResponse", value: { errorCode: UNIMPLEMENTED, errorMessage: "unsupported reflection request" } };
  }
}

function fileOfSymbol(registry: Registry, symbol: string): DescFile | undefined {
  const name = symbol.startsWith(".") ? symbol.slice(1) : symbol;
  const desc = registry.get(name);
  if (desc) return desc.file;
  // A method or field name: look up its parent.
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const parent = registry.get(name.slice(0, dot));
  if (parent?.kind === "service" && parent.methods.some((m) => m.name === name.slice(dot + 1))) return parent.file;
  if (parent?.kind === "message" && parent.fields.some((f) => f.name === name.slice(dot + 1))) return parent.file;
  return undefined;
}
