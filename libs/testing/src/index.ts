export { createTestDatabase } from "./test-database.js";
export type { TestDatabase } from "./test-database.js";
export { dumpDatabase, markerForms } from "./database-dump.js";
export { captureLogs } from "./log-capture.js";
export type { LogCapture } from "./log-capture.js";
export { startTcpProxy } from "./tcp-proxy.js";
export type { TcpProxy } from "./tcp-proxy.js";
export { startFakeKms, fakeKmsCredentials, FAKE_KMS_ACCOUNT_ID } from "./fake-kms-server.js";
export type { FakeKms, FakeKmsFailureKind, FakeKmsKey, FakeKmsRequest } from "./fake-kms-server.js";
