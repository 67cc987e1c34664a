namespace DLBricks.Cli;

/// <summary>Process exit codes of <c>dlbricks</c>; scripts and checks rely on these values.</summary>
internal static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;
    /// <summary>The command ran but some items failed (e.g. bricks that would not load); details were printed.</summary>
    public const int PartialFailure = 1;
    /// <summary>Bad input: unreadable model, unknown dim, malformed option. Nothing was written.</summary>
    public const int InvalidInput = 2;
    /// <summary>The requested execution provider or resource is not available on this machine.</summary>
    public const int Unavailable = 3;
    /// <summary>The privacy audit found names or trained values of the original models in public files of a split.</summary>
    public const int PrivacyLeak = 4;
    /// <summary>An unexpected internal error; one line was printed and the full trace written to a file it names.</summary>
    public const int InternalError = 70;
    /// <summary>Interrupted by Ctrl+C; completed work is kept.</summary>
    public const int Cancelled = 130;
}
