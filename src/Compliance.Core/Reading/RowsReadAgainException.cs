namespace Compliance.Core.Reading;

/// <summary>
/// Thrown by <see cref="IChunkedFilingSource.NextChunk"/> when the rows it has handed out were read under a header
/// that turned out to go on after them (a JSON filing read in one pass whose header fields follow its rows). Whatever
/// was made of those rows is to be thrown away; once no thread is reading them any more, <see cref="Rewind"/> sets
/// the source to hand out every row again from the first, under the whole header.
/// </summary>
internal sealed class RowsReadAgainException(Action rewind) : Exception("The rows are to be read again under the whole header.")
{
    /// <summary>Reads the whole header and starts the rows again; call once, after every thread has let go of the rows.</summary>
    public void Rewind() => rewind();
}
