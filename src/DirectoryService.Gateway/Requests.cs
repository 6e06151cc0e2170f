using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;

namespace DirectoryService.Gateway;

/// <summary>Shape checks on request messages that every service shares.</summary>
public static class Requests
{
    /// <summary>Returns the message, or throws INVALID_ARGUMENT if the client left it out.</summary>
    public static T Required<T>(T? message, string field) where T : class, IMessage =>
        message ?? throw DirectoryException.Invalid(ErrorField.Request(field), "is required");

    /// <summary>The mask's paths as domain field names (<c>job_title</c> → <c>jobTitle</c>; a map key after a dot is kept).</summary>
    public static ImmutableArray<string> Paths(FieldMask? mask) => mask is null ? [] : [.. mask.Paths.Select(Errors.GrpcFieldPaths.DomainName)];

    /// <summary>Checks a list of object ids: count within 1..<paramref name="max"/>, each a GUID; returns them canonical.</summary>
    public static ImmutableArray<string> ObjectIds(RepeatedField<string> ids, string field, int max)
    {
        if (ids.Count == 0 || ids.Count > max)
        {
            throw DirectoryException.Invalid(ErrorField.Request(field), $"must hold 1 to {max} ids, got {ids.Count}");
        }

        return [.. ids.Select((id, i) => Identifiers.ObjectId(id, ErrorField.Request($"{field}[{i}]")))];
    }

    /// <summary>Checks a free-text filter or lookup value; null when empty.</summary>
    public static string? Text(string value, string field)
    {
        if (value.Length > Limits.MaxStringLength)
        {
            throw DirectoryException.Invalid(ErrorField.Request(field), $"must be at most {Limits.MaxStringLength} characters");
        }

        return value.Length == 0 ? null : value;
    }

    public static Timestamp? Time(DateTimeOffset? value) => value is null ? null : Timestamp.FromDateTimeOffset(value.Value);
}
