using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Compliance.Core.Checking;

/// <summary>Does the order-free work of a batch; one instance per thread, so it may keep caches.</summary>
internal interface IBatchWorker<in TBatch>
{
    void Process(TBatch batch);
}

/// <summary>
/// Batches processed on up to <c>degree</c> threads and merged on the caller's thread strictly in the order
/// they were submitted, so whatever the merge builds is the same as one thread would build. The caller's
/// thread is one of the <c>degree</c>: between reading batches it takes queued ones itself, so reading and
/// processing share the cores without a thread spinning idle. At most two batches per thread wait at a time,
/// so memory does not grow with the file.
/// <para>
/// Threads pay only where processing outweighs reading: the first <see cref="ProbeBatches"/> batches are
/// processed on the caller's thread (a small file never starts a thread) and timed against the reading of
/// them, and the question is asked again after twice as many, up to 96; while reading takes longer (an XLSX's
/// XML), other threads would mostly wait for the reader and compete with it for the cores and the collector,
/// so the batches stay on the caller's thread. Each asking weighs only the batches since the last one: the
/// first merges of a check fault in its fresh key table (a few milliseconds, as much as a dozen JSON batches
/// take to type), and added up from the start that one-off cost kept a JSON filing on one thread until the
/// 24th batch.
/// </para>
/// </summary>
internal sealed class OrderedBatches<TBatch> : IDisposable
    where TBatch : class
{
    private readonly int degree;
    private readonly Func<TBatch> create;
    private readonly Func<IBatchWorker<TBatch>> createWorker;
    private readonly Action<TBatch> merge;
    private readonly Action<TBatch>? release;
    private readonly List<TBatch> created = [];
    private readonly Stack<TBatch> free = new();
    private readonly Queue<Pending> inFlight = new();
    private BlockingCollection<Pending>? work;
    private Task[]? workers;
    private IBatchWorker<TBatch>? inline;
    private int submitted;
    private int probeBatches;
    private readonly bool probe;
    private readonly TimeProvider time;
    private long readStarted;
    private long callersShare;
    private long processing;
    private bool parallel;

    /// <summary>Batches timed on the caller's thread before threads are started; the first (compiling) is not counted.</summary>
    internal const int ProbeBatches = 3;

    /// <param name="probe">False to start threads with the second batch whatever the timings (tests of the merge).</param>
    /// <param name="time">The clock the probe reads (tests pass a fake one).</param>
    /// <param name="release">Called for every batch created once no thread uses any (on <see cref="Dispose"/>).</param>
    public OrderedBatches(int degree, Func<TBatch> create, Func<IBatchWorker<TBatch>> createWorker, Action<TBatch> merge, bool probe = true, TimeProvider? time = null, Action<TBatch>? release = null)
    {
        this.release = release;
        this.degree = Math.Max(1, degree);
        this.probe = probe;
        this.time = time ?? TimeProvider.System;
        readStarted = this.time.GetTimestamp();
        probeBatches = probe ? ProbeBatches : 1;
        this.create = create;
        this.createWorker = createWorker;
        this.merge = merge;
    }

    /// <summary>The batch with which the other threads started; 0 while every batch is processed on the caller's thread.</summary>
    internal int ParallelFrom { get; private set; }

    /// <summary>An empty batch to fill: a merged one reused, or a new one.</summary>
    public TBatch Rent()
    {
        if (free.Count > 0)
        {
            return free.Pop();
        }

        var batch = create();
        created.Add(batch);
        return batch;
    }

    /// <summary>Hands a filled batch over; it is merged after every batch submitted before it.</summary>
    public void Submit(TBatch batch)
    {
        submitted++;
        if (!parallel)
        {
            var handedOver = time.GetTimestamp();
            inline ??= createWorker();
            inline.Process(batch);
            var processed = time.GetTimestamp();
            merge(batch);
            free.Push(batch);
            var handedBack = time.GetTimestamp();
            if (submitted > 1)
            {
                // The caller's share stays with it whatever happens: reading and merging.
                callersShare += handedOver - readStarted + (handedBack - processed);
                processing += processed - handedOver;
            }

            readStarted = handedBack;
            if (degree > 1 && submitted == probeBatches)
            {
                // Asked again after twice as many batches, up to the 96th: a slow start (a collection, a table
                // growing, a cold cache) should not keep a long file on one thread.
                parallel = !probe || processing > callersShare;
                probeBatches = probeBatches < 96 ? probeBatches * 2 : 0;
                (callersShare, processing) = (0, 0);
            }
            return;
        }

        if (ParallelFrom == 0)
        {
            ParallelFrom = submitted;
        }

        Start();
        var pending = new Pending(batch);
        inFlight.Enqueue(pending);
        work!.Add(pending);

        // The reader is ahead of the other threads: it helps with the oldest queued batch instead of reading on.
        if (work.Count > 1 && work.TryTake(out var queued))
        {
            Process(inline ??= createWorker(), queued);
        }

        MergeDone(wait: inFlight.Count > 2 * degree);
    }

    /// <summary>Waits for every submitted batch and merges the rest.</summary>
    public void Complete()
    {
        while (work?.TryTake(out var queued) == true)
        {
            Process(inline ??= createWorker(), queued);
        }

        while (inFlight.Count > 0)
        {
            MergeDone(wait: true);
        }
    }

    private void MergeDone(bool wait)
    {
        while (inFlight.TryPeek(out var head))
        {
            if (!head.Done.IsSet)
            {
                if (!wait)
                {
                    return;
                }

                head.Done.Wait();
                wait = false;
            }

            inFlight.Dequeue();
            head.Done.Dispose();
            head.Error?.Throw();
            merge(head.Batch);
            free.Push(head.Batch);
        }
    }

    private void Start()
    {
        if (workers is not null)
        {
            return;
        }

        work = new BlockingCollection<Pending>();
        workers = new Task[degree - 1];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    private void Work()
    {
        var worker = createWorker();
        foreach (var pending in work!.GetConsumingEnumerable())
        {
            Process(worker, pending);
        }
    }

    private static void Process(IBatchWorker<TBatch> worker, Pending pending)
    {
        try
        {
            worker.Process(pending.Batch);
        }
        catch (Exception ex)
        {
            // Rethrown on the caller's thread when this batch's turn to merge comes.
            pending.Error = ExceptionDispatchInfo.Capture(ex);
        }

        pending.Done.Set();
    }

    public void Dispose()
    {
        if (work is not null)
        {
            work.CompleteAdding();
            Task.WaitAll(workers!);
            work.Dispose();
            foreach (var pending in inFlight)
            {
                pending.Done.Dispose();
            }

            work = null;
        }

        // No thread holds a batch now (the caller's last one included).
        if (release is not null)
        {
            created.ForEach(release);
        }

        created.Clear();
    }

    private sealed class Pending(TBatch batch)
    {
        public TBatch Batch { get; } = batch;

        public ManualResetEventSlim Done { get; } = new();

        public ExceptionDispatchInfo? Error { get; set; }
    }
}
