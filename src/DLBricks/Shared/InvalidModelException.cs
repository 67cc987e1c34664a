namespace DLBricks.Shared;

/// <summary>
/// A model, option or file the user gave cannot be used. The message is one line that names the file (and node or input
/// where there is one), the cause, and where possible the fix; the CLI prints it as is and exits non-zero.
/// </summary>
public sealed class InvalidModelException : Exception
{
    /// <summary>Creates the exception with a complete one-line message.</summary>
    public InvalidModelException(string message) : base(message) { }

    /// <summary>Creates the exception with a complete one-line message and the underlying cause.</summary>
    public InvalidModelException(string message, Exception inner) : base(message, inner) { }
}
