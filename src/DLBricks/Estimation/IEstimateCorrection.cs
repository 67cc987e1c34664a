namespace DLBricks.Estimation;

/// <summary>
/// An adjustment applied after brick latencies are composed, e.g. removing harness costs that each brick run pays but
/// the whole model pays once. Corrections are applied in order, each seeing the previous one's result.
/// </summary>
internal interface IEstimateCorrection
{
    /// <summary>Short name shown in reports (e.g. <c>fixed-cost</c>).</summary>
    string Name { get; }

    /// <summary>The change to <paramref name="estimate"/> and why, or null when the correction does not apply.</summary>
    AppliedCorrection? Apply(LatencyEstimate estimate);
}
