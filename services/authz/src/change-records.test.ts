import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { RotationDueReason } from "@planton/proto/planton/connect/v1/connection_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { changeRecordOf } from "./change-records.js";

describe("changeRecordOf", () => {
  it("records connection.rotation_due with the reason, the version and the credential's dates", () => {
    const record = changeRecordOf(
      create(EventSchema, {
        id: "6f1c8e9a-0000-4000-8000-000000000001",
        kind: "connection.rotation_due",
        occurTime: timestampFromDate(new Date("2027-01-01T00:00:00Z")),
        orgId: "acme",
        actor: "rotation-scheduler",
        payload: {
          case: "rotationDue",
          value: {
            connectionId: "cfconn_1",
            slug: "cf-dns",
            provider: Provider.CLOUDFLARE,
            authMode: AuthMode.INLINE,
            credentialVersion: 4,
            reason: RotationDueReason.EXPIRY,
            sealTime: timestampFromDate(new Date("2026-12-01T00:00:00Z")),
            expireTime: timestampFromDate(new Date("2027-01-10T00:00:00Z")),
          },
        },
      }),
    );
    expect(record).toMatchObject({
      kind: "connection.rotation_due",
      actor: "rotation-scheduler",
      connectionId: "cfconn_1",
      provider: Provider.CLOUDFLARE,
      credentialVersion: 4,
      summary: "slug=cf-dns reason=EXPIRY credential_version=4 sealed=2026-12-01T00:00:00.000Z expires=2027-01-10T00:00:00.000Z",
    });
  });
});
