/** The representative check of one Azure resource family. */
export interface AzureFamilyCheck {
  /** kubernetes, compute, networking, storage, databases, dns, functions, monitoring, registry, encryption. */
  readonly family: string;
  /** Control-plane actions evaluated against the subscription's permissions. */
  readonly actions: readonly string[];
  /** Built-in roles that grant them, named in the fix. */
  readonly roles: readonly string[];
}

/**
 * AZURE_FAMILY_CHECKS is the documented table (docs/permission-checks.md)
 * of the actions the verifier evaluates per resource family against what
 * the service principal may do on its subscription: creating, reading and
 * deleting the family's main resources and one or two of their children.
 * Representative, not exhaustive.
 */
export const AZURE_FAMILY_CHECKS: readonly AzureFamilyCheck[] = Object.freeze([
  {
    family: "kubernetes",
    actions: [
      "Microsoft.ContainerService/managedClusters/write",
      "Microsoft.ContainerService/managedClusters/read",
      "Microsoft.ContainerService/managedClusters/delete",
      "Microsoft.ContainerService/managedClusters/agentPools/write",
      "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
    ],
    roles: ["Azure Kubernetes Service Contributor Role", "Contributor"],
  },
  {
    family: "compute",
    actions: [
      "Microsoft.Compute/virtualMachines/write",
      "Microsoft.Compute/virtualMachines/read",
      "Microsoft.Compute/virtualMachines/delete",
      "Microsoft.Compute/disks/write",
      "Microsoft.Compute/virtualMachineScaleSets/write",
    ],
    roles: ["Virtual Machine Contributor", "Contributor"],
  },
  {
    family: "networking",
    actions: [
      "Microsoft.Network/virtualNetworks/write",
      "Microsoft.Network/virtualNetworks/read",
      "Microsoft.Network/virtualNetworks/delete",
      "Microsoft.Network/virtualNetworks/subnets/write",
      "Microsoft.Network/networkSecurityGroups/write",
      "Microsoft.Network/publicIPAddresses/write",
      "Microsoft.Network/loadBalancers/write",
    ],
    roles: ["Network Contributor"],
  },
  {
    family: "storage",
    actions: [
      "Microsoft.Storage/storageAccounts/write",
      "Microsoft.Storage/storageAccounts/read",
      "Microsoft.Storage/storageAccounts/delete",
      "Microsoft.Storage/storageAccounts/listKeys/action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
    ],
    roles: ["Storage Account Contributor"],
  },
  {
    family: "databases",
    actions: [
      "Microsoft.DBforPostgreSQL/flexibleServers/write",
      "Microsoft.DBforPostgreSQL/flexibleServers/read",
      "Microsoft.DBforPostgreSQL/flexibleServers/delete",
      "Microsoft.Sql/servers/write",
      "Microsoft.Sql/servers/databases/write",
    ],
    roles: ["SQL Server Contributor", "Contributor"],
  },
  {
    family: "dns",
    actions: ["Microsoft.Network/dnsZones/write", "Microsoft.Network/dnsZones/read", "Microsoft.Network/dnsZones/delete", "Microsoft.Network/dnsZones/A/write"],
    roles: ["DNS Zone Contributor"],
  },
  {
    family: "functions",
    actions: [
      "Microsoft.Web/sites/write",
      "Microsoft.Web/sites/read",
      "Microsoft.Web/sites/delete",
      "Microsoft.Web/sites/config/write",
      "Microsoft.Web/serverfarms/write",
    ],
    roles: ["Website Contributor", "Web Plan Contributor"],
  },
  {
    family: "monitoring",
    actions: [
      "Microsoft.Insights/metricAlerts/write",
      "Microsoft.Insights/metricAlerts/read",
      "Microsoft.Insights/actionGroups/write",
      "Microsoft.Insights/diagnosticSettings/write",
      "Microsoft.OperationalInsights/workspaces/write",
    ],
    roles: ["Monitoring Contributor", "Log Analytics Contributor"],
  },
  {
    family: "registry",
    actions: [
      "Microsoft.ContainerRegistry/registries/write",
      "Microsoft.ContainerRegistry/registries/read",
      "Microsoft.ContainerRegistry/registries/delete",
      "Microsoft.ContainerRegistry/registries/push/write",
    ],
    roles: ["Contributor", "AcrPush"],
  },
  {
    family: "encryption",
    actions: [
      "Microsoft.KeyVault/vaults/write",
      "Microsoft.KeyVault/vaults/read",
      "Microsoft.KeyVault/vaults/delete",
      "Microsoft.KeyVault/vaults/accessPolicies/write",
    ],
    roles: ["Key Vault Contributor"],
  },
]);
