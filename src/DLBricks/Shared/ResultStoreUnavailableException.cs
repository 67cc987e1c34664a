namespace DLBricks.Shared;

/// <summary>A result store could not be reached (server down, wrong credentials); the message is safe to print.</summary>
public sealed class ResultStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResultStoreUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
