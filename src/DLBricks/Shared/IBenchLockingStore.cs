namespace DLBricks.Shared;

/// <summary>Another <c>bench</c> holds the lock of a store, system and configuration; the message names the holder.</summary>
public sealed class ResultStoreBusyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is locked, by whom (pid, host, start time) and what to do.</param>
    /// <param name="holder">The holder as it described itself; null when it could not be read.</param>
    public ResultStoreBusyException(string message, string? holder) : base(message)
    {
        Holder = holder;
    }

    /// <summary>The holder's own description (<c>pid=…; host=…; started=…</c>); null when unknown.</summary>
    public string? Holder { get; }
}

/// <summary>A result store in which only one <c>bench</c> at a time may measure a system and configuration.</summary>
public interface IBenchLockingStore : IResultStore
{
    /// <summary>
    /// Takes the bench lock of <paramref name="systemKey"/> and <paramref name="configurationKey"/> in this store until the returned
    /// handle is disposed. The lock dies with its process (killed or crashed), so it never needs clearing by hand.
    /// </summary>
    /// <exception cref="ResultStoreBusyException">Another bench holds it; the message names that process, its host and start time.</exception>
    IDisposable LockBench(string systemKey, string configurationKey);
}
