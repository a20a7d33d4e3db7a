// The Functions app on Flex Consumption (Linux, .NET isolated) with a system-assigned identity. Storage is
// reached by identity only: the host (AzureWebJobsStorage) and the app's own connection (FilingsStorage)
// are service URIs, never connection strings. App Service authentication (Entra ID) fronts the review
// API, which is why the app may trust X-MS-CLIENT-PRINCIPAL (Api__TrustAppServiceAuthentication).
param name string
param location string
param tags object
param dotnetVersion string
param instanceMemoryMB int
param maximumInstanceCount int
param storageAccountName string
param deploymentContainerUrl string
param appInsightsConnectionString string
param smtpPasswordSecretUri string
param smtpHost string
param smtpPort int
param smtpUserName string
param smtpFrom string
param authClientId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

var endpoints = storage.properties.primaryEndpoints

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        // The host's own storage (locks, blob-trigger receipts and queues, the deployment package).
        { name: 'AzureWebJobsStorage__blobServiceUri', value: endpoints.blob }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: endpoints.queue }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: endpoints.table }
        // The filings account (the same one here): the blob trigger's Connection and the app's clients.
        { name: 'FilingsStorage__blobServiceUri', value: endpoints.blob }
        { name: 'FilingsStorage__queueServiceUri', value: endpoints.queue }
        { name: 'FilingsStorage__tableServiceUri', value: endpoints.table }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
        { name: 'ReconcileSchedule', value: '0 */15 * * * *' }
        { name: 'DigestSchedule', value: '0 0 0 1 * *' }
        { name: 'Smtp__Host', value: smtpHost }
        { name: 'Smtp__Port', value: string(smtpPort) }
        { name: 'Smtp__Security', value: 'Auto' }
        { name: 'Smtp__UserName', value: smtpUserName }
        { name: 'Smtp__Password', value: '@Microsoft.KeyVault(SecretUri=${smtpPasswordSecretUri})' }
        { name: 'Smtp__From', value: smtpFrom }
        { name: 'Api__TrustAppServiceAuthentication', value: 'true' }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

// Publishing with a user name and password is off; deployments sign in with Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

// Sign-in with Entra ID in front of everything but the blob extension's Event Grid webhook, which is
// guarded by its own system key. Users get the app roles and the compliance_grant claim from the app
// registration (docs/deploy.md).
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/runtime/webhooks/blobs'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
            authClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = site.name
output principalId string = site.identity.principalId
output defaultHostName string = site.properties.defaultHostName
