using DirectoryService.Grpc.V1;

namespace DirectoryService.Silo.Tests;

/// <summary>
/// A seeded HR-style import: users with managers (named earlier, often in the same batch),
/// groups nested without cycles (a group only nests groups of higher index), and memberships.
/// </summary>
public sealed class ImportData(int seed, string domain, int users, int groups, int membershipsPerUser)
{
    public IReadOnlyList<ImportRecord> Records() => _records ??= Build();

    private List<ImportRecord>? _records;

    private List<ImportRecord> Build()
    {
        var random = new Random(seed);
        var records = new List<ImportRecord>();
        long line = 0;
        for (var u = 0; u < users; u++)
        {
            // Managers are users named earlier (often in the same batch); a third of the users have none.
            var manager = u % 3 == 0 ? "" : "U" + random.Next(u);
            records.Add(new ImportRecord
            {
                Position = ++line,
                User = new ImportUser
                {
                    ExternalId = "U" + u, UserPrincipalName = $"user{u}@{domain}", DisplayName = $"User {u}", GivenName = "Given" + u,
                    Surname = "S" + random.Next(50), Department = "Dept" + random.Next(8), JobTitle = "Title" + random.Next(5),
                    EmployeeId = (10_000 + u).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ManagerExternalId = manager, AccountEnabled = random.Next(10) > 0,
                },
            });
        }

        for (var g = 0; g < groups; g++)
        {
            records.Add(new ImportRecord { Position = ++line, Group = new ImportGroup { ExternalId = "G" + g, DisplayName = $"Group {g}", SecurityEnabled = random.Next(4) > 0 } });
        }

        for (var g = 0; g < groups; g++)
        {
            for (var c = g + 1; c < groups; c++)
            {
                if (random.Next(groups) < 2)
                {
                    records.Add(Membership(++line, "G" + g, "G" + c, isGroup: true));
                }
            }
        }

        var byGroup = Enumerable.Range(0, users).SelectMany(u => Enumerable.Range(0, membershipsPerUser).Select(_ => (Group: random.Next(groups), User: u)))
            .Distinct().OrderBy(m => m.Group).ThenBy(m => m.User);
        records.AddRange(byGroup.Select(m => Membership(++line, "G" + m.Group, "U" + m.User, isGroup: false)));
        return records;
    }

    private static ImportRecord Membership(long line, string group, string member, bool isGroup) => new()
    {
        Position = line,
        Membership = new ImportMembership { GroupExternalId = group, MemberExternalId = member, MemberIsGroup = isGroup },
    };
}
