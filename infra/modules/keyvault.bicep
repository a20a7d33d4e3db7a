// Key Vault for the SMTP password: RBAC authorisation (no access policies), purge protection, and the secret
// written only when a password is given, so a redeployment never overwrites a rotated secret.
param name string
param location string
param tags object

@secure()
param smtpPassword string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: 'smtp-password'
  properties: {
    value: smtpPassword
    contentType: 'SMTP password for the monthly digest'
  }
}

output name string = vault.name

// Versionless: the app always reads the current version, so rotating the secret needs no redeployment.
output smtpVaultItemUri string = '${vault.properties.vaultUri}secrets/smtp-password'
