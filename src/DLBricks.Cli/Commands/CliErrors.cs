namespace DLBricks.Cli.Commands;

/// <summary>Turns library failures into one line on stderr and a named exit code; no stack traces reach the user.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled; nothing partial was written.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (ExitCodeFor(e) is { } code)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return code;
        }
    }

    // Failures whose message is written for the user, and the exit code each kind of failure maps to.
    private static int? ExitCodeFor(Exception e) => e switch
    {
        InvalidModelException or InvalidDataException or IOException or UnauthorizedAccessException => ExitCodes.InvalidInput,
        ExecutionProviderUnavailableException or ResultStoreUnavailableException => ExitCodes.Unavailable,
        _ => null,
    };
}
