using System.Globalization;

namespace DLBricks.Samples.Generator;

/// <summary>Number formats shared by the console tables and summary.md, so both show the same digits.</summary>
internal static class SampleFormat
{
    public static string Ms(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Ratio(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Speedup(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.0", CultureInfo.InvariantCulture) + "x";

    public static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Flag(bool trustworthy) => trustworthy ? "" : " !";

    public static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
