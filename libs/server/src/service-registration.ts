import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AccessRule } from "@planton/auth";

/**
 * ServiceRegistration is one service as both listeners mount it: its
 * descriptor, its full implementation (written once, connect-es style) and who
 * may call each method.
 */
export interface ServiceRegistration {
  readonly service: DescService;
  // The implementation is stored type-erased; registerService() is the only
  // way in and it checks the implementation against the descriptor.
  readonly impl: ServiceImpl<DescService>;
  /** Access rule per method name; `default` applies to methods not listed. */
  readonly access: { readonly default: AccessRule; readonly methods?: Readonly<Record<string, AccessRule>> };
}

/**
 * registerService pairs a descriptor with its implementation. `impl` must be a
 * full `ServiceImpl` (not `Partial`), so the compiler insists on every RPC.
 */
export function registerService<S extends DescService>(service: S, impl: ServiceImpl<S>, access: ServiceRegistration["access"]): ServiceRegistration {
  return { service, impl: impl, access };
}
