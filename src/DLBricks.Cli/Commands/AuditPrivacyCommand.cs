using System.CommandLine;
using DLBricks.Export;

namespace DLBricks.Cli.Commands;

/// <summary>
/// <c>dlbricks audit-privacy SPLIT_DIR MODEL...</c>: looks for names, doc strings, metadata and trained values of the models
/// in the public files of a split; exit code <see cref="ExitCodes.PrivacyLeak"/> on any finding.
/// </summary>
internal static class AuditPrivacyCommand
{
    public static Command Create()
    {
        var split = new Argument<string>("SPLIT_DIR") { Description = "Folder written by 'dlbricks split' (bricks/, catalog.json, recipes/)." };
        var models = new Argument<string[]>("MODEL") { Description = "The original ONNX models the split was made from.", Arity = ArgumentArity.OneOrMore };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = $"Models read and files scanned at once (default {SplitOptions.DefaultJobs}, as split: one per core, at most one per 3 GiB of memory). The findings are the same for any value.",
            DefaultValueFactory = _ => SplitOptions.DefaultJobs,
        };
        var command = new Command("audit-privacy",
            "Check that the public files of a split (everything but recipes/) reveal no name, doc string, metadata or trained value of the models.")
        {
            split, models, jobs,
        };
        command.SetAction((result, _) => Task.FromResult(CliErrors.Run(() =>
        {
            var jobCount = result.GetValue(jobs);
            if (jobCount < 1) throw new InvalidModelException($"--jobs {jobCount}: give at least 1.");
            var report = PrivacyAudit.Run(result.GetValue(split)!, result.GetValue(models)!, jobs: jobCount);
            if (report.IsClean)
            {
                Console.WriteLine(PrivacyAudit.Describe(report));
                return ExitCodes.Success;
            }
            Console.WriteLine(PrivacyAudit.Describe(report, int.MaxValue));
            return ExitCodes.PrivacyLeak;
        })));
        return command;
    }
}
