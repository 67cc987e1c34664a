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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return LastResort(e);
        }
    }

    /// <summary>Prints each failed model on one line; <see cref="ExitCodes.PartialFailure"/> when there was any.</summary>
    public static int ReportFailures(IReadOnlyCollection<ModelFailure> failures)
    {
        foreach (var failure in failures) Console.Error.WriteLine($"failed: {failure}");
        if (failures.Count == 0) return ExitCodes.Success;
        Console.Error.WriteLine($"{failures.Count} model(s) failed; the others completed and their output was written.");
        return ExitCodes.PartialFailure;
    }

    /// <summary>
    /// The last resort for an exception nothing else expected: one line naming the error, the exit code and the file the
    /// full trace went to, so a bug report has the trace without the user ever seeing one.
    /// </summary>
    public static int LastResort(Exception error)
    {
        var where = WriteTrace(error);
        var message = error.Message.ReplaceLineEndings(" ").Trim();
        Console.Error.WriteLine($"error: unexpected {error.GetType().Name}: {message} (exit {ExitCodes.InternalError}; "
                                + (where is null ? "the full trace could not be written)" : $"full trace in {where})"));
        return ExitCodes.InternalError;
    }

    private static string? WriteTrace(Exception error)
    {
        try
        {
            var folder = Path.Combine(Path.GetTempPath(), "dlbricks-logs");
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"crash-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.txt");
            File.WriteAllText(path, $"dlbricks {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}{Environment.NewLine}{error}{Environment.NewLine}");
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Failures whose message is written for the user, and the exit code each kind of failure maps to.
    private static int? ExitCodeFor(Exception e) => e switch
    {
        PrivacyLeakException => ExitCodes.PrivacyLeak,
        InvalidModelException or InvalidDataException or IOException or UnauthorizedAccessException => ExitCodes.InvalidInput,
        ExecutionProviderUnavailableException or ResultStoreUnavailableException => ExitCodes.Unavailable,
        _ => null,
    };
}
