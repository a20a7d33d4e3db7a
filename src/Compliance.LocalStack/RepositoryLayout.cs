namespace Compliance.LocalStack;

/// <summary>Finds the repository checkout the local stack runs from (its package.json pins Azurite).</summary>
public static class RepositoryLayout
{
    /// <summary>The nearest folder, from the working directory or the binaries up, with ComplianceFunctions.sln.</summary>
    public static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ComplianceFunctions.sln")) && File.Exists(Path.Combine(dir.FullName, "package.json")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new LocalStackException("Run this from a ComplianceFunctions checkout: no folder above here has ComplianceFunctions.sln and package.json.");
    }
}
