namespace Compliance.Cli;

/// <summary>
/// Writes a report file whole or not at all: into a temporary file beside it, then moved over the target, so a
/// full disk or a workbook still open in Excel leaves the previous report as it was instead of half a new one.
/// </summary>
internal static class ReportFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var partial = Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Path.GetFileName(path)}.{Environment.ProcessId}.partial");
        try
        {
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.ReadWrite)) // the package writer reads back what it wrote
            {
                write(stream);
            }

            File.Move(partial, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReportFileException(path, ex);
        }
        finally
        {
            // Moved, it is gone; failed for any reason, it must not be left beside the report.
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }
}

/// <summary>The report could not be written where the user asked: the folder is missing or read-only, or the file is open elsewhere.</summary>
internal sealed class ReportFileException(string path, Exception inner) : Exception($"Cannot write {path}.", inner)
{
    public string Path { get; } = path;
}
