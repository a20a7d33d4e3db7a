namespace Compliance.Testing;

/// <summary>A folder of its own under the system's temporary folder, deleted with what a test left in it.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix) => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>A file name inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A browser or host still holding a file: the system's temporary folder is cleaned in the end anyway.
        }
    }
}
