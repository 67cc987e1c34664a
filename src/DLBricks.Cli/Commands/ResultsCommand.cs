using System.CommandLine;
using DLBricks.Storage;

namespace DLBricks.Cli.Commands;

/// <summary>
/// <c>dlbricks results export|import</c>: moves systems, configurations, results and calibrations between stores as one JSON
/// file. Import adds what is missing and replaces only older results, so importing the same file twice adds nothing.
/// </summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var command = new Command("results", "Move benchmark results between stores (SQLite files and PostgreSQL).");
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Import());
        return command;
    }

    private static Command Export()
    {
        var output = new Option<string>("--out", "-o") { Description = "JSON file to write.", Required = true };
        var store = new ResultStoreOptions(defaultDb: null);
        var command = new Command("export", "Write everything a store holds to a JSON file.") { output };
        store.AddTo(command);
        command.SetAction((result, _) => Task.FromResult(Run(store, result, mustExist: true, results =>
        {
            var archive = results.Export();
            var path = result.GetValue(output)!;
            archive.Save(path);
            Console.WriteLine($"exported {archive.Systems.Count} systems, {archive.Configurations.Count} configurations, " +
                              $"{archive.Results.Count} results, {archive.Calibrations.Count} calibrations from {results.Location} to {path}");
            return ExitCodes.Success;
        })));
        return command;
    }

    private static Command Import()
    {
        var input = new Argument<string>("FILE") { Description = "JSON file written by `dlbricks results export`." };
        var store = new ResultStoreOptions(defaultDb: null);
        var command = new Command("import", "Add the results of a JSON file to a store (idempotent).") { input };
        store.AddTo(command);
        command.SetAction((result, _) => Task.FromResult(CliErrors.Run(() =>
        {
            // Read and check the whole file before touching the store: a bad file writes nothing anywhere.
            var path = result.GetValue(input)!;
            var archive = ResultsArchive.Load(path);
            return Run(store, result, mustExist: false, results =>
            {
                var counts = results.Import(archive);
                Console.WriteLine($"imported {path} into {results.Location}: {counts.Systems} systems, {counts.Configurations} configurations, " +
                                  $"{counts.Results} results, {counts.Calibrations} calibrations added or updated");
                return ExitCodes.Success;
            });
        })));
        return command;
    }

    private static int Run(ResultStoreOptions store, ParseResult result, bool mustExist, Func<SqlResultStore, int> action) => CliErrors.Run(() =>
    {
        try
        {
            store.Validate(result);
            using var results = store.Open(result, mustExist);
            return action(results);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (ResultStoreUnavailableException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (System.Data.Common.DbException e)
        {
            Console.Error.WriteLine($"error: {store.Describe(result)}: {store.Redact(result, e.Message)}");
            return ExitCodes.Unavailable;
        }
    });
}
