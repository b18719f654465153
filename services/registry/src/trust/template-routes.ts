import type { HttpRoute } from "@planton/server";
import { TEMPLATE_ROUTE_PREFIX } from "../config.js";
import { renderTrustTemplate } from "./trust-template.js";

/**
 * templateRoutes serve the trust template over plain HTTP at
 * `/aws-trust/template.json` and `.yaml`, without authentication (it holds no
 * per-setup value). For development: Quick Create only accepts templates in
 * S3, so production links point at the published copy (AWS_TRUST_TEMPLATE_URL).
 */
export function templateRoutes(): HttpRoute[] {
  const route = (format: "json" | "yaml", contentType: string): HttpRoute => ({
    method: "GET",
    path: `${TEMPLATE_ROUTE_PREFIX}/template.${format}`,
    handle(_req, res) {
      const body = renderTrustTemplate(format);
      res.writeHead(200, { "content-type": contentType, "content-length": String(Buffer.byteLength(body)), "cache-control": "public, max-age=300" });
      res.end(body);
    },
  });
  return [route("json", "application/json"), route("yaml", "application/yaml")];
}
