using DLBricks;

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
        catch (InvalidModelException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (PrivacyLeakException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.PrivacyLeak;
        }
        catch (ExecutionProviderUnavailableException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (ResultStoreUnavailableException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled; nothing partial was written.");
            return ExitCodes.Cancelled;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
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
}
