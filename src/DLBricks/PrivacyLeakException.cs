using DLBricks.Export;

namespace DLBricks;

/// <summary>
/// A split would publish original information (a name, doc string, metadata entry or trained value) of a model; the
/// message lists the findings. Nothing was written to the destination.
/// </summary>
public sealed class PrivacyLeakException : Exception
{
    /// <summary>Creates the exception with a complete message and the audit that found the leak.</summary>
    public PrivacyLeakException(string message, PrivacyAuditReport report) : base(message) => Report = report;

    /// <summary>The audit's findings.</summary>
    public PrivacyAuditReport Report { get; }
}
