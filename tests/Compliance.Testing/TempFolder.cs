namespace Compliance.Testing;

/// <summary>A folder of its own under the system's temporary folder for the files a test writes or downloads, deleted with them at the end.</summary>
public sealed class TempFolder(string prefix = "compliance-test-") : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>A file name inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="content"/> to a file of the folder and returns its path.</summary>
    public string Write(string name, string content)
    {
        var file = File(name);
        System.IO.File.WriteAllText(file, content);
        return file;
    }

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
