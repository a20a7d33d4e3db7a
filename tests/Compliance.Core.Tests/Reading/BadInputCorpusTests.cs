using Compliance.Core.Checking;
using Compliance.Core.Reading;

namespace Compliance.Core.Tests.Reading;

/// <summary>
/// The stored bad-input corpus (tests/bad-inputs, described in its expected.json): every file ends rejected
/// with its exact message, or checked with exactly its findings — never an exception.
/// </summary>
[TestClass]
public sealed class BadInputCorpusTests
{
    private static BadInputCorpus Corpus { get; } = new(Checks.RepositoryRoot);

    public static IEnumerable<object[]> Files => Corpus.Entries.Select(e => new object[] { e.File });

    [TestMethod]
    public void Corpus_HasAtLeastFortyFilesEachWithAnExpectedOutcome()
    {
        var onDisk = Directory.GetFiles(Corpus.Folder).Select(Path.GetFileName).Where(n => n != BadInputCorpus.ManifestName).Order(StringComparer.Ordinal).ToList();

        CollectionAssert.AreEqual(onDisk, Corpus.Entries.Select(e => e.File).Order(StringComparer.Ordinal).ToList(), "every file has an entry in expected.json and every entry a file");
        Assert.IsGreaterThanOrEqualTo(40, onDisk.Count);
        Assert.IsGreaterThanOrEqualTo(10, Corpus.Entries.Count(e => e.Outcome == "checked"));
        Assert.IsGreaterThanOrEqualTo(30, Corpus.Entries.Count(e => e.Outcome == "rejected"));
    }

    [TestMethod]
    [DynamicData(nameof(Files))]
    public void CorpusFile_EndsAsExpected(string file)
    {
        var expected = Corpus.Entries.Single(e => e.File == file);
        using var stream = File.OpenRead(Path.Combine(Corpus.Folder, file));

        using var report = new FilingChecker(Checks.Catalog).Check(stream, file);

        BadInputCorpus.AssertMatches(expected, report.Status == FilingStatus.Checked ? "checked" : "rejected", report.Error, report.ErrorRow, report.ErrorColumn, [.. report.Violations.Select(v => $"{v.Rule}@{v.Row}")], report.WarningCount);
    }

    [TestMethod]
    public void FileOverTheSizeLimit_IsRefusedBeforeItIsRead()
    {
        // Sparse: 2 GiB + 1 byte of length costs no disk, and the checker must not read it to refuse it.
        var path = Path.Combine(Path.GetTempPath(), $"oversize-{Guid.NewGuid():N}.csv");
        try
        {
            using (var file = File.Create(path))
            {
                file.Write("uscc,period,region,employee_id,wage_base\r\n"u8);
                file.SetLength(ReaderLimits.Default.MaxFileBytes + 1);
            }

            var stream = new ReadCountingStream(File.OpenRead(path));
            using var report = new FilingChecker(Checks.Catalog).Check(stream, "oversize.csv");

            Assert.AreEqual(FilingStatus.Rejected, report.Status);
            Assert.AreEqual("The file is 2,048 MiB; filings up to 2,048 MiB are accepted. Split it by month or by region and upload the parts.", report.Error);
            Assert.AreEqual(0, stream.BytesRead, "refused from its length, without reading");
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>Counts the bytes read through it; with <c>failAfter</c>, fails as a dropped connection does once that many are read.</summary>
internal sealed class ReadCountingStream(Stream inner, long failAfter = long.MaxValue) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (BytesRead >= failAfter)
        {
            throw new IOException("The connection was reset.");
        }

        var n = inner.Read(buffer, offset, count);
        BytesRead += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
