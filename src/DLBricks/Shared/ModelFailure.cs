using System.Text.Json.Serialization;

namespace DLBricks.Shared;

/// <summary>
/// A model a multi-model run gave up on while it went on with the others: which model, at which step, and why, in one line.
/// </summary>
/// <param name="Model">Model name (file name without extension).</param>
/// <param name="Stage">The step that failed: <c>split</c>, <c>inputs</c>, <c>end-to-end</c>, <c>profile</c>, <c>estimate</c>...</param>
/// <param name="Reason">One line naming the file and the cause, as the error would have read on its own.</param>
public sealed record ModelFailure(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("reason")] string Reason)
{
    /// <summary>
    /// The failure for an exception thrown while handling one model. Library exceptions carry a complete one-line message;
    /// anything else is prefixed with its type so the line still says what happened, and with <paramref name="path"/> when
    /// the message does not name the file.
    /// </summary>
    public static ModelFailure From(string model, string stage, Exception error, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message.ReplaceLineEndings(" ").Trim();
        var reason = error is InvalidModelException or InvalidDataException or IOException or UnauthorizedAccessException
            ? message
            : $"{error.GetType().Name}: {message}";
        if (path is not null && !reason.Contains(path, StringComparison.Ordinal))
            reason = $"{path}: {reason}";
        return new ModelFailure(model, stage, reason);
    }

    /// <summary>True for exceptions that end one model's work but not the run (everything except cancellation and out-of-memory).</summary>
    public static bool IsPerModel(Exception error) => error is not (OperationCanceledException or OutOfMemoryException);

    /// <inheritdoc />
    public override string ToString() => $"{Model}: {Stage} failed: {Reason}";
}
