using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Users;
using DirectoryService.Gateway.Errors;
using DirectoryService.Abstractions.Import;
using DirectoryService.Grpc.V1;
using Google.Protobuf.Reflection;

namespace DirectoryService.Gateway.Import;

/// <summary>Maps import batches from the wire to the domain, and rejections back, naming fields by their path in the record.</summary>
public static class ImportMapping
{
    /// <summary>Most records in one ImportRecordsRequest.</summary>
    public const int MaxRecordsPerBatch = 1000;

    /// <summary>The batch's records by kind, and the records that carry none (rejected at once).</summary>
    public static (ImportBatch Batch, List<Abstractions.Import.ImportRejection> Empty) ToDomain(ImportRecordsRequest request)
    {
        if (request.Records.Count is 0 or > MaxRecordsPerBatch)
        {
            throw DirectoryException.Invalid(ErrorField.Request("records"), $"must hold 1 to {MaxRecordsPerBatch} records, got {request.Records.Count}");
        }

        var users = ImmutableArray.CreateBuilder<ImportedUser>();
        var groups = ImmutableArray.CreateBuilder<ImportedGroup>();
        var memberships = ImmutableArray.CreateBuilder<ImportedMembership>();
        List<Abstractions.Import.ImportRejection> empty = [];
        foreach (var record in request.Records)
        {
            switch (record.RecordCase)
            {
                case ImportRecord.RecordOneofCase.User:
                    users.Add(ToDomain(record.Position, record.User));
                    break;
                case ImportRecord.RecordOneofCase.Group:
                    groups.Add(ToDomain(record.Position, record.Group));
                    break;
                case ImportRecord.RecordOneofCase.Membership:
                    var m = record.Membership;
                    memberships.Add(new ImportedMembership(record.Position, m.GroupExternalId, m.MemberExternalId, m.MemberIsGroup ? ObjectKind.Group : ObjectKind.User));
                    break;
                default:
                    empty.Add(new Abstractions.Import.ImportRejection(record.Position, null, DirectoryException.Invalid(ErrorField.Request("record"), "set one of user, group or membership")));
                    break;
            }
        }

        return (new ImportBatch(users.ToImmutable(), groups.ToImmutable(), memberships.ToImmutable()), empty);
    }

    private static ImportedUser ToDomain(long position, ImportUser u) => new(position, new UserProfile
    {
        ExternalId = u.ExternalId,
        UserPrincipalName = u.UserPrincipalName,
        DisplayName = u.DisplayName,
        GivenName = u.GivenName,
        Surname = u.Surname,
        Mail = u.Mail,
        Department = u.Department,
        JobTitle = u.JobTitle,
        EmployeeId = u.EmployeeId,
        AccountEnabled = !u.HasAccountEnabled || u.AccountEnabled,
    }, u.HasManagerExternalId ? u.ManagerExternalId : null);

    private static ImportedGroup ToDomain(long position, ImportGroup g) => new(position, new GroupProfile
    {
        ExternalId = g.ExternalId,
        DisplayName = g.DisplayName,
        Description = g.Description,
        MailNickname = g.MailNickname,
        SecurityEnabled = !g.HasSecurityEnabled || g.SecurityEnabled,
    });

    public static Grpc.V1.ImportRejection ToProto(Abstractions.Import.ImportRejection rejection)
    {
        var (prefix, record) = rejection.Kind switch
        {
            ObjectKind.User => ("user", ImportUser.Descriptor),
            ObjectKind.Group => ("group", ImportGroup.Descriptor),
            _ => ("membership", ImportMembership.Descriptor),
        };
        var error = rejection.Error;
        var field = error.Field is null ? "" : error.Field.IsRequestPath ? error.Field.Name : $"{prefix}.{GrpcFieldPaths.Of(error.Field, record)}";
        return new Grpc.V1.ImportRejection
        {
            Position = rejection.Position,
            Field = field,
            Code = CodeName(StatusMapping.CodeOf(error.Code)),
            Message = field.Length == 0 ? error.Description : $"{field}: {error.Description}",
        };
    }

    public static Grpc.V1.ImportCounts ToProto(Abstractions.Import.ImportCounts counts) => new()
    {
        Records = counts.Records,
        Created = counts.Created,
        Updated = counts.Updated,
        Unchanged = counts.Unchanged,
        Rejected = counts.Rejected,
    };

    private static string CodeName(Google.Rpc.Code code) => Google.Rpc.CodeReflection.Descriptor.EnumTypes[0].FindValueByNumber((int)code).Name;
}
