// The one storage account: filings in, results and digests out, the tables, the host's own queues and the
// deployment package. Keys are off (shared-key access disabled), so every caller signs in with Entra ID.
param name string
param location string
param tags object

@description('Origins allowed to send files straight to Blob storage: the portal, at the https origin of the Functions app. Never *.')
param uploadOrigins array

@description('Blob containers the app uses; names match ComplianceStorage options (src/Compliance.Storage).')
var containers = [
  'filings'
  'results'
  'digests'
  'deploymentpackage'
]

@description('Tables the app uses; the app also creates them on first use.')
var tables = [
  'Filings'
  'FilingsByPeriod'
  'Violations'
  'ViolationsByPeriod'
  'Digests'
  'Recipients'
  'ReviewAudit'
  'FilingClaims'
  'ViolationRowsArchive'
  'ViolationCounts'
]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    accessTier: 'Hot'
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    // The portal uploads with a write-only SAS from the browser: PUT (the blob, or its blocks and block list)
    // and the preflight, from the portal's origin only; the ETag is exposed so the page finds its verdict.
    cors: {
      corsRules: [
        {
          allowedOrigins: uploadOrigins
          allowedMethods: [
            'PUT'
            'OPTIONS'
          ]
          allowedHeaders: [
            'content-type'
            'x-ms-blob-type'
            'x-ms-version'
            'x-ms-client-request-id'
          ]
          exposedHeaders: [
            'etag'
          ]
          maxAgeInSeconds: 3600
        }
      ]
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in containers: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource storageTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for table in tables: {
    parent: tableService
    name: table
  }
]

output name string = account.name
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}deploymentpackage'
