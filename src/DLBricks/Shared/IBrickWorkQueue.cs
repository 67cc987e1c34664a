namespace DLBricks.Shared;

/// <summary>The answer of a work queue asked for the next brick.</summary>
/// <param name="Hash">The brick now leased to the asking worker; null when none could be claimed.</param>
/// <param name="Attempt">How many times the brick has been claimed, this claim included (above 1: a worker died holding it).</param>
/// <param name="RetryAfter">When nothing could be claimed but other workers still hold bricks whose leases may run out: how long to wait before asking again. Null with a null hash: the queue is drained.</param>
public readonly record struct BrickClaim(string? Hash, int Attempt, TimeSpan? RetryAfter)
{
    /// <summary>Nothing left to measure or wait for.</summary>
    public static BrickClaim Drained => new(null, 0, null);

    /// <summary>True when the queue has nothing left for anyone.</summary>
    public bool IsDrained => Hash is null && RetryAfter is null;
}

/// <summary>
/// Bricks of one catalog shared out among workers measuring the same system and configuration (<c>bench --worker</c>).
/// A claim is a lease: a worker that dies holding a brick loses it when the lease runs out, and the next claim takes it up.
/// </summary>
public interface IBrickWorkQueue : IDisposable
{
    /// <summary>Name of this worker in the queue.</summary>
    string WorkerId { get; }

    /// <summary>Adds the catalog's bricks (idempotent; every worker of a catalog calls it) and limits claims to them.</summary>
    void Enqueue(IReadOnlyCollection<string> brickHashes);

    /// <summary>Leases the next brick nobody measured or holds.</summary>
    BrickClaim ClaimNext();

    /// <summary>
    /// Stores the result of a claimed brick and marks it done, atomically. Returns false, storing nothing, when the lease
    /// ran out and another worker took the brick over: that worker's result is the one kept.
    /// </summary>
    bool Complete(BrickResult result);

    /// <summary>Gives a claimed brick back unmeasured (cancellation), so another worker takes it at once.</summary>
    void Release(string brickHash);
}

/// <summary>A result store that can also share bricks out among workers (PostgreSQL).</summary>
public interface IWorkQueueStore : IResultStore
{
    /// <summary>Opens the queue of a system and configuration for one worker.</summary>
    /// <param name="systemKey">The system the worker measures on (registered).</param>
    /// <param name="configurationKey">The configuration it measures under (registered).</param>
    /// <param name="workerId">A name unique among the workers.</param>
    /// <param name="lease">How long a claim holds without renewal; the queue renews it while the worker is alive.</param>
    IBrickWorkQueue OpenQueue(string systemKey, string configurationKey, string workerId, TimeSpan lease);
}
