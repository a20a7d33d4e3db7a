// ComplianceFunctions in one resource group: storage (filings, results, digests, tables), the Functions app on
// Flex Consumption with a managed identity and no keys, Event Grid for blob events, Key Vault for the SMTP
// password, monitoring, and App Service authentication for the review API. See docs/deploy.md.
targetScope = 'resourceGroup'

@description('Short name used in every resource name (lower case letters and digits).')
@minLength(3)
@maxLength(11)
param appName string = 'compliance'

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Client ID of the Entra ID app registration that signs users in (docs/deploy.md creates it with infra/entra/app-roles.json).')
param authClientId string

@description('The .NET version the isolated worker targets (src/ComplianceFunctions).')
param dotnetVersion string = '10.0'

@description('Flex Consumption instance memory, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('SMTP server for the monthly digest.')
param smtpHost string

@description('SMTP port (587 for STARTTLS, 465 for TLS).')
param smtpPort int = 587

@description('SMTP user name.')
param smtpUserName string

@secure()
@description('SMTP password; stored only in Key Vault. Leave empty to keep the secret already there (rotation is done in Key Vault).')
param smtpPassword string = ''

@description('Sender address of the digest.')
param smtpFrom string

@description('Subscribe the blob trigger to Event Grid. Needs the published app (its blobs_extension key): deploy with false, publish, deploy again with true.')
param deployEventSubscription bool = false

@description('Tags on every resource.')
param tags object = {
  application: 'ComplianceFunctions'
}

var suffix = uniqueString(resourceGroup().id, appName)
var functionAppName = '${appName}-${suffix}'

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: '${appName}-${suffix}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('st${appName}${suffix}', 24)
    location: location
    tags: tags
    uploadOrigins: [
      'https://${functionAppName}.azurewebsites.net'
    ]
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: take('kv-${appName}-${suffix}', 24)
    location: location
    tags: tags
    smtpPassword: smtpPassword
  }
}

module app 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: functionAppName
    location: location
    tags: tags
    dotnetVersion: dotnetVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    smtpPasswordSecretUri: vault.outputs.smtpVaultItemUri
    smtpHost: smtpHost
    smtpPort: smtpPort
    smtpUserName: smtpUserName
    smtpFrom: smtpFrom
    authClientId: authClientId
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: app.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: vault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module events 'modules/eventgrid.bicep' = if (deployEventSubscription) {
  name: 'eventgrid'
  params: {
    name: '${appName}-${suffix}-blobs'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    functionAppName: app.outputs.name
  }
  dependsOn: [
    roles
  ]
}

output functionAppName string = app.outputs.name
output functionAppUrl string = 'https://${app.outputs.defaultHostName}'
output storageAccountName string = storage.outputs.name
output keyVaultName string = vault.outputs.name
