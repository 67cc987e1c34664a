namespace DLBricks.Shared;

/// <summary>
/// The requested execution provider is not part of the loaded ONNX Runtime build (e.g. CUDA with the CPU-only native package).
/// The message is one line saying what is missing and how to get it.
/// </summary>
public sealed class ExecutionProviderUnavailableException : Exception
{
    /// <summary>Creates the exception for <paramref name="provider"/>.</summary>
    public ExecutionProviderUnavailableException(string provider, string message, Exception? inner = null) : base(message, inner)
        => Provider = provider;

    /// <summary>The provider that was asked for (<c>cuda</c>).</summary>
    public string Provider { get; }
}
