using Compliance.Core.Reading;

namespace Compliance.Cli;

/// <summary>A file to check: where it is, the name its report carries, and its size for the progress display.</summary>
internal sealed record FilingTarget(string Path, string Name, long Length);

/// <summary>
/// The files the command line names: files as given, and the filings in each folder named (by the extensions the
/// checker accepts; with <c>-r</c> also in subfolders), in a stable order.
/// </summary>
internal sealed record FilingTargets(IReadOnlyList<FilingTarget> Files, IReadOnlyList<string> Empty)
{
    public static FilingTargets Find(IEnumerable<string> arguments, bool recursive)
    {
        var files = new List<FilingTarget>();
        var empty = new List<string>();
        foreach (var argument in arguments)
        {
            if (!Directory.Exists(argument))
            {
                // A missing file is reported as a rejected file in its place, as it always was.
                var info = new FileInfo(argument);
                files.Add(new FilingTarget(argument, Path.GetFileName(argument), info.Exists ? info.Length : 0));
                continue;
            }

            var found = Walk(new DirectoryInfo(argument), recursive)
                .Where(IsFiling)
                // Named by the path inside the folder, so two payroll.csv in different months stay apart.
                .Select(f => new FilingTarget(f.FullName, Path.GetRelativePath(argument, f.FullName).Replace('\\', '/'), f.Length))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
            if (found.Count == 0)
            {
                empty.Add(argument);
            }

            files.AddRange(found);
        }

        return new FilingTargets(files, empty);
    }

    private static readonly EnumerationOptions OneLevel = new() { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };

    /// <summary>
    /// The folder's files, and with <paramref name="recursive"/> its subfolders' — but not a subfolder that is a link:
    /// one pointing back up would be walked until the path grew too long, each filing reported dozens of times.
    /// </summary>
    private static IEnumerable<FileInfo> Walk(DirectoryInfo folder, bool recursive)
    {
        foreach (var file in folder.EnumerateFiles("*", OneLevel))
        {
            yield return file;
        }

        if (!recursive)
        {
            yield break;
        }

        foreach (var sub in folder.EnumerateDirectories("*", OneLevel).Where(d => d.LinkTarget is null))
        {
            foreach (var file in Walk(sub, recursive))
            {
                yield return file;
            }
        }
    }

    // Excel keeps "~$name.xlsx" beside a workbook while it is open: a lock file, not a filing.
    private static bool IsFiling(FileInfo file) => FilingOpener.FormatOf(file.Name) is not null && !file.Name.StartsWith("~$", StringComparison.Ordinal);
}
