using System.Collections.Immutable;
using DirectoryService.Abstractions.Common;
using DirectoryService.Abstractions.Groups;
using DirectoryService.Abstractions.Users;

namespace DirectoryService.Abstractions.Changes;

/// <summary>
/// Reads a tenant's changes (keyed by tenant id; stateless, on the silo that received the request):
/// pages of objects changed after a cursor, each resolved to its current state through its grain,
/// or, from no cursor, an enumeration of every object that ends at the feed's end as it was when
/// the enumeration began.
/// </summary>
[Alias("directory.IChangesQueryGrain")]
public interface IChangesQueryGrain : IGrainWithStringKey
{
    /// <summary>The next page of user changes after <paramref name="cursor"/> (null: start an enumeration); at most <paramref name="limit"/> users.</summary>
    [Alias("ReadUsersAsync")]
    [Idempotent]
    Task<ChangePage<UserChange>> ReadUsersAsync(ChangeCursor? cursor, int limit, CancellationToken cancellationToken = default);

    /// <summary>The next page of group changes after <paramref name="cursor"/> (null: start an enumeration); at most <paramref name="limit"/> groups.</summary>
    [Alias("ReadGroupsAsync")]
    [Idempotent]
    Task<ChangePage<GroupChange>> ReadGroupsAsync(ChangeCursor? cursor, int limit, CancellationToken cancellationToken = default);

    /// <summary>A cursor at the feed's end now, without enumerating (Graph's <c>$deltatoken=latest</c>).</summary>
    [Alias("LatestAsync")]
    [Idempotent]
    Task<ChangeCursor> LatestAsync(ObjectKind kind);

    /// <summary>Waits until the feed has records after <paramref name="at"/> (true) or <paramref name="timeout"/> has passed (false).</summary>
    [Alias("WaitAsync")]
    [Idempotent]
    Task<bool> WaitAsync(ChangeCursor at, TimeSpan timeout, CancellationToken cancellationToken = default);
}

/// <summary>
/// Where a reader of one kind's changes stands: a position per feed shard, and a time no later than
/// when any record after those positions was appended (what a token's age is measured from). While
/// an enumeration is under way, <see cref="Enumeration"/> says how far it got; the positions are the
/// feed's end when it began.
/// </summary>
[GenerateSerializer, Immutable, Alias("ChangeCursor")]
public sealed record ChangeCursor(
    [property: Id(0)] ObjectKind Kind,
    [property: Id(1)] ImmutableArray<long> Positions,
    [property: Id(2)] DateTimeOffset Since,
    [property: Id(3)] EnumerationCursor? Enumeration = null);

/// <summary>How far an enumeration got: objects are listed in id order; a group's members in id order after <see cref="AfterMember"/> while <see cref="InGroup"/> is set.</summary>
[GenerateSerializer, Immutable, Alias("EnumerationCursor")]
public sealed record EnumerationCursor(
    [property: Id(0)] string? AfterObject,
    [property: Id(1)] string? InGroup = null,
    [property: Id(2)] string? AfterMember = null);

/// <summary>A user as it is now: its view (<see cref="UserView.DeletedAt"/> set when soft-deleted), or null when it no longer exists.</summary>
[GenerateSerializer, Immutable, Alias("UserChange")]
public sealed record UserChange([property: Id(0)] string Id, [property: Id(1)] UserView? View);

/// <summary>
/// A group as it is now (null view: it no longer exists) and member edges: <see cref="Added"/> are
/// direct members now, <see cref="Removed"/> are not, each as the group's stored member list holds it
/// at the time of the read (soft-deleted members included).
/// </summary>
[GenerateSerializer, Immutable, Alias("GroupChange")]
public sealed record GroupChange(
    [property: Id(0)] string Id,
    [property: Id(1)] GroupView? View,
    [property: Id(2)] ImmutableArray<ObjectRef> Added,
    [property: Id(3)] ImmutableArray<ObjectRef> Removed);

/// <summary>A page of changes and the cursor after it; <see cref="CaughtUp"/> when the reader reached the feed's end (or finished its enumeration).</summary>
[GenerateSerializer, Immutable, Alias("ChangePage")]
public sealed record ChangePage<T>(
    [property: Id(0)] ImmutableArray<T> Items,
    [property: Id(1)] ChangeCursor Next,
    [property: Id(2)] bool CaughtUp);
