namespace DLBricks;

/// <summary>
/// What happened to one model of a batch: its result, or the reason it failed. One bad model never fails the batch; the
/// others go on and keep their results.
/// </summary>
/// <typeparam name="T">The per-model result.</typeparam>
/// <param name="Model">Model name (file name without extension).</param>
/// <param name="Path">The file (or recipe, or split folder) given for it.</param>
/// <param name="Result">The result, when the model succeeded.</param>
/// <param name="Failure">Stage and reason, when it failed.</param>
public sealed record ModelOutcome<T>(string Model, string Path, T? Result, ModelFailure? Failure) where T : class
{
    /// <summary>True when <see cref="Result"/> is set.</summary>
    public bool Succeeded => Result is not null;

    /// <summary>The result.</summary>
    /// <exception cref="InvalidModelException">The model failed; the message is its one-line reason.</exception>
    public T Value => Result ?? throw new InvalidModelException(Failure?.Reason ?? $"{Path}: no result.");

    internal static ModelOutcome<T> Success(string model, string path, T result) => new(model, path, result, null);

    internal static ModelOutcome<T> Failed(string model, string path, ModelFailure failure) => new(model, path, null, failure);
}

/// <summary>Helpers over a batch of outcomes.</summary>
public static class ModelOutcomes
{
    /// <summary>The results of the models that succeeded, in order.</summary>
    public static IReadOnlyList<T> Results<T>(this IEnumerable<ModelOutcome<T>> outcomes) where T : class =>
        outcomes.Where(o => o.Succeeded).Select(o => o.Result!).ToList();

    /// <summary>The failures of the models that failed, in order.</summary>
    public static IReadOnlyList<ModelFailure> Failures<T>(this IEnumerable<ModelOutcome<T>> outcomes) where T : class =>
        outcomes.Where(o => o.Failure is not null).Select(o => o.Failure!).ToList();
}
