using DirectoryService.Abstractions.Users;
using DirectoryService.Grains.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace DirectoryService.Grains.Tests.Common;

/// <summary>
/// A principal's groups are stored packed, 16 bytes an id: states written before that read back
/// with every group, and an id in any other form survives as written.
/// </summary>
public sealed class DirectoryObjectStateTests
{
    private readonly Serializer _serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static readonly UserProfile Profile = new() { UserPrincipalName = "ada@contoso.com", DisplayName = "Ada" };

    private static HashSet<string> Groups(int count) => [.. Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString("D"))];

    private DirectoryObjectState<UserProfile> RoundTrip(DirectoryObjectState<UserProfile> state) =>
        _serializer.Deserialize<DirectoryObjectState<UserProfile>>(_serializer.SerializeToArray(state))!;

    [Fact]
    public void Groups_ReadBackAsWritten_InALittleOverAThirdOfTheBytes()
    {
        var groups = Groups(100);
        var state = new DirectoryObjectState<UserProfile> { Profile = Profile, Version = 7, MemberOf = [.. groups] };

        var read = RoundTrip(state);

        Assert.Equal(groups.Order(), read.MemberOf.Order());
        Assert.Equal(7, read.Version);
        Assert.Equal(Profile, read.Profile);
        var packed = _serializer.SerializeToArray(state).Length;
        var asText = _serializer.SerializeToArray(new StateBeforePackedGroups { Profile = Profile, Version = 7, MemberOf = groups }).Length;
        Assert.True(packed < asText * 0.45, $"{packed} bytes packed, {asText} as text");
    }

    [Fact]
    public void AStateWrittenBeforeGroupsWerePacked_ReadsBackWithEveryGroup()
    {
        var groups = Groups(12);
        var before = new StateBeforePackedGroups { Profile = Profile, CreatedAt = DateTimeOffset.UnixEpoch, Version = 3, MemberOf = groups, Purging = true };

        var read = _serializer.Deserialize<DirectoryObjectState<UserProfile>>(_serializer.SerializeToArray(before))!;

        Assert.Equal(groups.Order(), read.MemberOf.Order());
        Assert.Equal((3L, DateTimeOffset.UnixEpoch, true), (read.Version, read.CreatedAt, read.Purging));
        Assert.Equal(groups.Order(), RoundTrip(read).MemberOf.Order());
    }

    [Fact]
    public void AnIdNotInTheFormTheDirectoryMints_IsKeptAsWritten()
    {
        var upper = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var state = new DirectoryObjectState<UserProfile> { Profile = Profile, MemberOf = [upper, "not-a-guid", .. Groups(3)] };

        var read = RoundTrip(state);

        Assert.Equal(state.MemberOf.Order(), read.MemberOf.Order());
        Assert.Contains(upper, read.MemberOf);
    }

    [Fact]
    public void NoGroups_ReadBackAsNone()
    {
        Assert.Empty(RoundTrip(new DirectoryObjectState<UserProfile> { Profile = Profile }).MemberOf);
    }
}

/// <summary>The stored layout of <see cref="DirectoryObjectState{TProfile}"/> before its groups were packed.</summary>
[GenerateSerializer, Alias("DirectoryService.Grains.Tests.StateBeforePackedGroups")]
public sealed class StateBeforePackedGroups
{
    [Id(0)] public UserProfile? Profile { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public long Version { get; set; }
    [Id(3)] public DateTimeOffset? DeletedAt { get; set; }
    [Id(4)] public HashSet<string> MemberOf { get; set; } = [];
    [Id(5)] public DateTimeOffset? ModifiedAt { get; set; }
    [Id(6)] public bool Purging { get; set; }
}
