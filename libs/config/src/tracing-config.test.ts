import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { createEnvReader, type Env } from "./env-reader.js";
import { readTracingConfig } from "./tracing-config.js";

const read = (env: Env) => readTracingConfig(createEnvReader(env));

function rejection(env: Env): ConfigError {
  try {
    read(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("readTracingConfig", () => {
  it("exports nothing by default", () => {
    expect(read({})).toEqual({ otlpTracesUrl: undefined, otlpHeaders: {}, serviceName: undefined });
  });

  it("appends /v1/traces to the base endpoint, with or without a trailing slash or path", () => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).otlpTracesUrl).toBe("http://collector:4318/v1/traces");
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://otlp.example.com/" }).otlpTracesUrl).toBe("https://otlp.example.com/v1/traces");
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://gw.example.com/otlp/" }).otlpTracesUrl).toBe("https://gw.example.com/otlp/v1/traces");
  });

  it("refuses an endpoint that is not an http(s) URL", () => {
    expect(rejection({ OTEL_EXPORTER_OTLP_ENDPOINT: "grpc://collector:4317" }).message).toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
    expect(rejection({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }).message).toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
  });

  it("reads headers as URL-encoded key=value pairs and the service name", () => {
    const config = read({ OTEL_EXPORTER_OTLP_HEADERS: "X-Api-Key=zq7x%20key, team = core,", OTEL_SERVICE_NAME: "registry-eu" });
    expect(config.otlpHeaders).toEqual({ "x-api-key": "zq7x key", team: "core" });
    expect(config.serviceName).toBe("registry-eu");
    expect(Object.isFrozen(config.otlpHeaders)).toBe(true);
  });

  it("refuses malformed headers without repeating a value", () => {
    for (const bad of ["novalue", "=zq7xsecret", "bad name=zq7xsecret", "k=%zz-zq7xsecret", "k=zq7x%0Asecret"]) {
      const error = rejection({ OTEL_EXPORTER_OTLP_HEADERS: bad });
      expect(error.message).toContain("OTEL_EXPORTER_OTLP_HEADERS");
      expect(error.message).not.toContain("zq7x");
    }
  });
});
