/** The representative check of one GCP resource family. */
export interface GcpFamilyCheck {
  /** kubernetes, compute, networking, storage, databases, dns, functions, monitoring, registry, encryption. */
  readonly family: string;
  /** IAM permissions tested on the project (no wildcards: testIamPermissions refuses them). */
  readonly permissions: readonly string[];
  /** Predefined roles that grant them, named in the fix. */
  readonly roles: readonly string[];
}

/**
 * GCP_FAMILY_CHECKS is the documented table (docs/permission-checks.md) of
 * the permissions the verifier tests on the key's project per resource
 * family: creating, reading, changing and deleting the family's main
 * resources, and acting as a service account where its resources run as
 * one. Representative, not exhaustive.
 */
export const GCP_FAMILY_CHECKS: readonly GcpFamilyCheck[] = Object.freeze([
  {
    family: "kubernetes",
    permissions: ["container.clusters.create", "container.clusters.get", "container.clusters.update", "container.clusters.delete", "container.operations.get"],
    roles: ["roles/container.admin"],
  },
  {
    family: "compute",
    permissions: ["compute.instances.create", "compute.instances.get", "compute.instances.delete", "compute.disks.create", "iam.serviceAccounts.actAs"],
    roles: ["roles/compute.instanceAdmin.v1", "roles/iam.serviceAccountUser"],
  },
  {
    family: "networking",
    permissions: [
      "compute.networks.create",
      "compute.networks.get",
      "compute.subnetworks.create",
      "compute.firewalls.create",
      "compute.routers.create",
      "compute.addresses.create",
    ],
    roles: ["roles/compute.networkAdmin", "roles/compute.securityAdmin"],
  },
  {
    family: "storage",
    permissions: ["storage.buckets.create", "storage.buckets.get", "storage.buckets.update", "storage.buckets.delete", "storage.buckets.list"],
    roles: ["roles/storage.admin"],
  },
  {
    family: "databases",
    permissions: [
      "cloudsql.instances.create",
      "cloudsql.instances.get",
      "cloudsql.instances.update",
      "cloudsql.instances.delete",
      "cloudsql.databases.create",
      "cloudsql.users.create",
    ],
    roles: ["roles/cloudsql.admin"],
  },
  {
    family: "dns",
    permissions: ["dns.managedZones.create", "dns.managedZones.get", "dns.managedZones.delete", "dns.changes.create", "dns.resourceRecordSets.create"],
    roles: ["roles/dns.admin"],
  },
  {
    family: "functions",
    permissions: [
      "cloudfunctions.functions.create",
      "cloudfunctions.functions.get",
      "cloudfunctions.functions.update",
      "cloudfunctions.functions.delete",
      "run.services.create",
      "run.services.get",
      "run.services.update",
      "run.services.delete",
      "iam.serviceAccounts.actAs",
    ],
    roles: ["roles/cloudfunctions.admin", "roles/run.admin", "roles/iam.serviceAccountUser"],
  },
  {
    family: "monitoring",
    permissions: [
      "monitoring.alertPolicies.create",
      "monitoring.alertPolicies.get",
      "monitoring.alertPolicies.delete",
      "monitoring.dashboards.create",
      "logging.logMetrics.create",
    ],
    roles: ["roles/monitoring.editor", "roles/logging.configWriter"],
  },
  {
    family: "registry",
    permissions: [
      "artifactregistry.repositories.create",
      "artifactregistry.repositories.get",
      "artifactregistry.repositories.delete",
      "artifactregistry.repositories.uploadArtifacts",
    ],
    roles: ["roles/artifactregistry.admin"],
  },
  {
    family: "encryption",
    permissions: ["cloudkms.keyRings.create", "cloudkms.keyRings.get", "cloudkms.cryptoKeys.create", "cloudkms.cryptoKeys.get", "cloudkms.cryptoKeys.update"],
    roles: ["roles/cloudkms.admin"],
  },
]);
