import type { DescMethod } from "@bufbuild/protobuf";

/**
 * AccessRule says who may call a method: anyone (`public`, for health checks
 * and reflection), or an authenticated caller holding every listed scope.
 */
export type AccessRule = { readonly public: true } | { readonly scopes: readonly string[] };

/**
 * AccessPolicy maps a method to its rule. A method without a rule is refused
 * (`PERMISSION_DENIED`): forgetting to declare access must fail closed.
 */
export type AccessPolicy = (method: DescMethod) => AccessRule | undefined;
