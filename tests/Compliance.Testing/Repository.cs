namespace Compliance.Testing;

/// <summary>The checkout the tests run from: seeds, samples, the bad-input corpus, infra, host.json.</summary>
public static class Repository
{
    /// <summary>The nearest folder above the test binaries holding ComplianceFunctions.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "seeds", "samples");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ComplianceFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find ComplianceFunctions.sln above the test binaries.");
    }
}
