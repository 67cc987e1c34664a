namespace DLBricks.Samples.Generator.Steps;

/// <summary>
/// One stage of the sample pipeline. A step reads what earlier steps left in the <see cref="SampleRun"/> and adds its own
/// results; a model that fails is dropped with <see cref="SampleRun.Fail"/> and the run goes on with the others.
/// </summary>
internal interface ISampleStep
{
    /// <summary>Short name shown in progress lines.</summary>
    string Name { get; }

    /// <summary>Runs the step.</summary>
    /// <exception cref="SampleSetupException">The run cannot go on at all.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    void Run(SampleRun run);
}
