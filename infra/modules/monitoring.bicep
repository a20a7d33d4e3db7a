// Application Insights on a Log Analytics workspace. Local (key) authentication is off: the app sends
// telemetry with its managed identity (Monitoring Metrics Publisher, granted in roles.bicep).
param name string
param location string
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${name}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output appInsightsName string = appInsights.name

// Not a secret with local authentication off: it names where telemetry goes, and only Entra-authenticated
// senders are accepted there.
output appInsightsConnectionString string = appInsights.properties.ConnectionString
