using System.CommandLine;
using DirectoryService.Grpc.Clients;
using Google.Protobuf.WellKnownTypes;

namespace DirectoryService.Cli.Import;

/// <summary>
/// <c>dirctl import --users FILE --groups FILE --memberships FILE</c>: a bulk import from HR-style CSV
/// files (docs/import.md has the columns). Prints the summary as JSON; rejections go to standard
/// error as JSON lines; exit 0 when every record was applied, 1 when some were rejected or the
/// service refused the import, 2 for a file that does not fit.
/// </summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var users = new Option<string?>("--users") { Description = "Users CSV: external_id, user_principal_name, display_name, given_name, surname, mail, department, job_title, employee_id, manager_external_id, account_enabled" };
        var groups = new Option<string?>("--groups") { Description = "Groups CSV: external_id, display_name, description, mail_nickname, security_enabled" };
        var memberships = new Option<string?>("--memberships") { Description = "Memberships CSV: group_external_id, member_external_id, member_type (user or group)" };
        var retries = new Option<int>("--retries")
        {
            Description = "How many times to run the import again from the start when the service is unavailable (storage stalled, silo restarting); 0: never",
            DefaultValueFactory = _ => ImportRetry.Default.Attempts - 1,
        };
        retries.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 100)
            {
                r.AddError("--retries must be between 0 and 100");
            }
        });
        var command = new Command("import", "Import users, groups and memberships from CSV files (idempotent: running it again changes nothing)")
        {
            Options = { users, groups, memberships, retries },
        };
        command.SetAction(async (result, cancellation) =>
        {
            long rejected = 0;
            var code = await DirctlContext.RunAsync(result, async context =>
            {
                var sources = new CsvSources(result.GetValue(users), result.GetValue(groups), result.GetValue(memberships));
                if (result.GetValue(users) is null && result.GetValue(groups) is null && result.GetValue(memberships) is null)
                {
                    throw new UsageException("name at least one of --users, --groups, --memberships");
                }

                var progress = new ImportProgress(sources, sources.CountRows(), Console.Error, terminal: !Console.IsErrorRedirected);
                var retry = ImportRetry.Default with { Attempts = result.GetValue(retries) + 1, Retrying = progress.Retrying };
                var counts = await ImportUpload.RunAsync(context.Import, sources.Records(), progress.Answered, cancellation, retry: retry);
                rejected = progress.Rejected;
                return new Struct
                {
                    Fields =
                    {
                        ["records"] = Value.ForNumber(counts.Records),
                        ["created"] = Value.ForNumber(counts.Created),
                        ["updated"] = Value.ForNumber(counts.Updated),
                        ["unchanged"] = Value.ForNumber(counts.Unchanged),
                        ["rejected"] = Value.ForNumber(counts.Rejected),
                        ["seconds"] = Value.ForNumber(Math.Round(progress.Elapsed.TotalSeconds, 1)),
                    },
                };
            });
            return code == 0 && rejected > 0 ? 1 : code;
        });
        return command;
    }
}
