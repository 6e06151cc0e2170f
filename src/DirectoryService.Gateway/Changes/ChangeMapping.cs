using DirectoryService.Abstractions.Changes;
using DirectoryService.Gateway.Groups;
using DirectoryService.Gateway.Members;
using DirectoryService.Gateway.Users;
using DirectoryService.Grpc.V1;
using Google.Protobuf.WellKnownTypes;

namespace DirectoryService.Gateway.Changes;

/// <summary>Maps changes read from the feed to the API: the object as it is now, or a removed marker with its reason.</summary>
public static class ChangeMapping
{
    public static UserDelta ToProto(this UserChange change)
    {
        var delta = new UserDelta { Id = change.Id };
        if (change.View is { DeletedAt: null } view)
        {
            delta.User = view.ToProto();
        }
        else
        {
            delta.Removed = Removed(change.View?.DeletedAt, change.View?.PurgeAt);
        }

        return delta;
    }

    public static GroupDelta ToProto(this GroupChange change)
    {
        var delta = new GroupDelta
        {
            Id = change.Id,
            MembersAdded = { change.Added.Select(m => m.ToProto()) },
            MembersRemoved = { change.Removed.Select(m => m.ToProto()) },
        };
        if (change.View is { DeletedAt: null } view)
        {
            delta.Group = view.ToProto();
        }
        else
        {
            delta.Removed = Removed(change.View?.DeletedAt, change.View?.PurgeAt);
        }

        return delta;
    }

    private static Removed Removed(DateTimeOffset? deletedAt, DateTimeOffset? purgeAt) => deletedAt is { } at
        ? new Removed { Reason = RemovedReason.Deleted, DeleteTime = Timestamp.FromDateTimeOffset(at), PurgeTime = Timestamp.FromDateTimeOffset(purgeAt!.Value) }
        : new Removed { Reason = RemovedReason.Gone };
}
