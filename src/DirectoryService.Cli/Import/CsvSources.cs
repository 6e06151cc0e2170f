using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using DirectoryService.Grpc.V1;

namespace DirectoryService.Cli.Import;

/// <summary>
/// The CSV files of an import, in the layout an HR export has (a header row naming the columns, in
/// any order; other columns are ignored), read one row at a time into import records. Each record's
/// position encodes its file and line, so that a rejection can be traced back to its row.
/// Users whose manager comes later in the file are sent first without the manager and again with it
/// after the last user, so that the manager exists by then.
/// </summary>
public sealed class CsvSources(string? users, string? groups, string? memberships)
{
    private const long LinesPerFile = 10_000_000_000;

    private readonly string?[] _files = [users, groups, memberships];

    public static readonly string[] UserColumns =
        ["external_id", "user_principal_name", "display_name", "given_name", "surname", "mail", "department", "job_title", "employee_id", "manager_external_id", "account_enabled"];

    public static readonly string[] GroupColumns = ["external_id", "display_name", "description", "mail_nickname", "security_enabled"];

    public static readonly string[] MembershipColumns = ["group_external_id", "member_external_id", "member_type"];

    /// <summary>Data rows in all files (a first, quick pass), for the progress bar.</summary>
    public long CountRows() => _files.OfType<string>().Sum(file => Rows(file, []).LongCount());

    /// <summary>Which file and line a record's position names.</summary>
    public (string File, long Line) Locate(long position) => (Path.GetFileName(_files[(int)(position / LinesPerFile) - 1] ?? "?"), position % LinesPerFile);

    /// <summary>Every record: users, then groups, then memberships.</summary>
    public IEnumerable<ImportRecord> Records()
    {
        var deferred = new List<ImportRecord>();
        if (users is not null)
        {
            var sent = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (line, row) in Rows(users, ["external_id", "user_principal_name", "display_name"]))
            {
                var record = new ImportRecord { Position = LinesPerFile + line, User = User(row, users, line) };
                var manager = record.User.ManagerExternalId;
                if (manager.Length > 0 && manager != record.User.ExternalId && !sent.Contains(manager))
                {
                    deferred.Add(record.Clone());
                    record.User.ClearManagerExternalId();
                }

                sent.Add(record.User.ExternalId);
                yield return record;
            }
        }

        foreach (var record in deferred)
        {
            yield return record;
        }

        if (groups is not null)
        {
            foreach (var (line, row) in Rows(groups, ["external_id", "display_name"]))
            {
                yield return new ImportRecord { Position = (2 * LinesPerFile) + line, Group = Group(row, groups, line) };
            }
        }

        if (memberships is not null)
        {
            foreach (var (line, row) in Rows(memberships, ["group_external_id", "member_external_id"]))
            {
                yield return new ImportRecord { Position = (3 * LinesPerFile) + line, Membership = Membership(row, memberships, line) };
            }
        }
    }

    private static ImportUser User(IReadOnlyDictionary<string, string> row, string file, long line)
    {
        var user = new ImportUser
        {
            ExternalId = row.GetValueOrDefault("external_id", ""),
            UserPrincipalName = row.GetValueOrDefault("user_principal_name", ""),
            DisplayName = row.GetValueOrDefault("display_name", ""),
            GivenName = row.GetValueOrDefault("given_name", ""),
            Surname = row.GetValueOrDefault("surname", ""),
            Mail = row.GetValueOrDefault("mail", ""),
            Department = row.GetValueOrDefault("department", ""),
            JobTitle = row.GetValueOrDefault("job_title", ""),
            EmployeeId = row.GetValueOrDefault("employee_id", ""),
            ManagerExternalId = row.GetValueOrDefault("manager_external_id", ""),
        };
        if (Flag(row, "account_enabled", file, line) is { } enabled)
        {
            user.AccountEnabled = enabled;
        }

        return user;
    }

    private static ImportGroup Group(IReadOnlyDictionary<string, string> row, string file, long line)
    {
        var group = new ImportGroup
        {
            ExternalId = row.GetValueOrDefault("external_id", ""),
            DisplayName = row.GetValueOrDefault("display_name", ""),
            Description = row.GetValueOrDefault("description", ""),
            MailNickname = row.GetValueOrDefault("mail_nickname", ""),
        };
        if (Flag(row, "security_enabled", file, line) is { } security)
        {
            group.SecurityEnabled = security;
        }

        return group;
    }

    private static ImportMembership Membership(IReadOnlyDictionary<string, string> row, string file, long line) => new()
    {
        GroupExternalId = row.GetValueOrDefault("group_external_id", ""),
        MemberExternalId = row.GetValueOrDefault("member_external_id", ""),
        MemberIsGroup = row.GetValueOrDefault("member_type", "").Trim().ToLowerInvariant() switch
        {
            "" or "user" => false,
            "group" => true,
            var other => throw new UsageException($"{Path.GetFileName(file)} line {line}: member_type '{other}' is not user or group"),
        },
    };

    /// <summary>A true/false column: empty leaves the default (true); true/false, yes/no, 1/0 otherwise.</summary>
    private static bool? Flag(IReadOnlyDictionary<string, string> row, string column, string file, long line) =>
        row.GetValueOrDefault(column, "").Trim().ToLowerInvariant() switch
        {
            "" => null,
            "true" or "yes" or "1" => true,
            "false" or "no" or "0" => false,
            var other => throw new UsageException($"{Path.GetFileName(file)} line {line}: {column} '{other}' is not true or false"),
        };

    /// <summary>The file's data rows by line number, each as column → value (values trimmed of surrounding spaces).</summary>
    private static IEnumerable<(long Line, IReadOnlyDictionary<string, string> Row)> Rows(string file, string[] required)
    {
        if (!File.Exists(file))
        {
            throw new UsageException($"{file}: no such file");
        }

        using var reader = new StreamReader(file);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, DetectDelimiter = false });
        if (!csv.Read())
        {
            yield break;
        }

        csv.ReadHeader();
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (required.FirstOrDefault(c => !header.Contains(c)) is { } missing)
        {
            throw new UsageException($"{Path.GetFileName(file)}: the header has no '{missing}' column (it has: {string.Join(", ", header)})");
        }

        while (csv.Read())
        {
            var row = new Dictionary<string, string>(header.Length, StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = csv.TryGetField<string>(i, out var value) ? value ?? "" : "";
            }

            yield return (csv.Parser.RawRow, row);
        }
    }
}
